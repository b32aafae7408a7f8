"""Package checks: find and read the descriptor, check it and each Table Schema against the
meta-schemas in schemas/meta/, and decide which resource files may be opened at all.

Nothing here opens a URL or a file outside the package root: such paths are findings.
"""

from __future__ import annotations

import bisect
import json
import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from country_profiles import safe_io, strict_json
from country_profiles.paths import PACKAGED_ROOT, REPO_ROOT
from country_profiles.safe_io import path_problem  # shared with fmt and export, which must refuse the same paths
from country_profiles.validation.findings import ERROR, Finding, Rule
from country_profiles.validation.fallback import needs_frictionless, schema_needs_frictionless
from country_profiles.validation.structure import CompiledSchema, compile_schema

DESCRIPTOR_NAME = "datapackage.json"
# In a clone schemas/meta/ is in the repository; a wheel carries it with the packaged data.
META_SCHEMAS = next(
    (root / "schemas" / "meta" for root in (REPO_ROOT, PACKAGED_ROOT) if (root / "schemas" / "meta").is_dir()),
    REPO_ROOT / "schemas" / "meta",
)

PACKAGE_RULES: tuple[Rule, ...] = (
    Rule(
        "descriptor_is_json",
        ERROR,
        "datapackage.json and every Table Schema file it names are UTF-8 JSON.",
        hint="Fix the JSON syntax at the line and column given (a missing comma or quote, a trailing comma).",
    ),
    Rule(
        "descriptor_is_valid",
        ERROR,
        "datapackage.json follows the Data Package profile in schemas/meta/datapackage.json.",
        hint="Correct the property at the JSON path given; schemas/meta/datapackage.json lists what a descriptor may hold.",
    ),
    Rule(
        "package_has_resources",
        ERROR,
        "The descriptor lists at least one resource.",
        hint="Add the package's tables to the descriptor's resources list.",
    ),
    Rule(
        "resource_path_inside_package",
        ERROR,
        "Resource and schema paths are relative paths inside the package: no URL, no absolute path, "
        "no '..', no symlink leading outside.",
        hint="Copy the file into the package (e.g. data/ or schemas/) and refer to it by its relative path.",
    ),
    Rule(
        "resource_file_exists",
        ERROR,
        "Every resource path and schema path names a readable regular file.",
        hint="Add the file, or correct the path in the descriptor (paths are relative to datapackage.json).",
    ),
    Rule(
        "table_schema_is_valid",
        ERROR,
        "Every Table Schema follows schemas/meta/tableschema.json, and its keys, constraints and foreign keys "
        "refer to fields and resources that exist.",
        hint="Correct the schema at the JSON path given; schemas/meta/tableschema.json lists what the validator supports.",
    ),
    Rule(
        "rules_completed",
        ERROR,
        "Every rule ran to completion (an exception in a rule is a bug in the validator, reported rather than hidden).",
        hint="Report it with the message; COUNTRY_PROFILES_DEBUG=1 shows the traceback.",
    ),
)
_RULES = {rule.id: rule for rule in PACKAGE_RULES}


class PackageNotFound(Exception):
    """The package cannot be checked at all (exit status 2): nothing to read."""


def locate_descriptor(package: str | Path) -> Path:
    """The descriptor for PACKAGE: a folder holding datapackage.json, or the descriptor itself,
    which may not be a link leading out of its folder (see safe_io)."""
    text = os.fspath(package)
    problem = "contains a NUL byte" if "\x00" in text else None
    if problem is None and len(text) > 4096:
        problem = "is longer than 4096 characters"
    if problem:
        raise PackageNotFound(f"{text[:200]!r}: {problem}")
    path = Path(text)
    try:
        if path.is_dir():
            descriptor = path / DESCRIPTOR_NAME
            if not descriptor.is_file():
                raise PackageNotFound(f"{path}: no {DESCRIPTOR_NAME} in this folder")
            path = descriptor
        elif not path.exists():
            raise PackageNotFound(f"{path}: no such file or folder")
        elif not path.is_file():
            raise PackageNotFound(f"{path}: not a file or folder")
        elif path.suffix.lower() != ".json":
            raise PackageNotFound(f"{path}: expected a folder holding {DESCRIPTOR_NAME} or a JSON descriptor")
        os.close(safe_io.open_inside(path.parent, path.name))
    except safe_io.PackagePathError as exc:
        raise PackageNotFound(f"{path}: {exc.reason}") from None
    except OSError as exc:
        raise PackageNotFound(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return path


@dataclass
class ResourceSpec:
    """One resource as the descriptor declares it, with what it takes to check its CSV.
    `file` is None when the path may not or cannot be opened; `schema` None when unusable."""

    name: str
    path: str
    file: Path | None = None
    schema_source: str = DESCRIPTOR_NAME  # the file holding the schema, relative to the root
    schema_prefix: tuple[Any, ...] = ()  # where the schema sits in that file (inline schemas)
    raw_schema: dict[str, Any] | None = None
    schema: CompiledSchema | None = None
    schema_locate: _Locator | None = None
    descriptor: dict[str, Any] | None = None  # the resource as declared
    fallback: bool = False  # checked by frictionless (fallback.py), not by the fast path

    def schema_line(self, where: tuple[Any, ...]) -> int | None:
        return self.schema_locate(self.schema_prefix + where) if self.schema_locate else None

    def schema_json_path(self, where: tuple[Any, ...]) -> str:
        return _json_path(self.schema_prefix + where)


@dataclass
class PackageCheck:
    root: Path
    descriptor_path: Path
    descriptor: dict[str, Any] | None
    resources: list[ResourceSpec] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    schema_files: dict[str, ResourceSpec] = field(default_factory=dict)  # checked once, however many use it


def check_package(descriptor_path: Path) -> PackageCheck:
    """Read and check the descriptor and the Table Schemas; resolve the resource files."""
    root = descriptor_path.parent.resolve()
    name = descriptor_path.name
    check = PackageCheck(root, descriptor_path, None)
    try:
        data = safe_io.read_inside(root, name)
    except (safe_io.PackagePathError, OSError) as exc:
        check.findings.append(_finding("resource_file_exists", f"{name} cannot be read: {exc}", name))
        return check
    document = _read_json(data, name, None, check.findings)
    if document is None:
        return check
    descriptor, text = document
    if not isinstance(descriptor, dict):
        check.findings.append(_finding("descriptor_is_valid", "the descriptor must be a JSON object", name, line=1))
        return check
    check.descriptor = descriptor

    resources = descriptor.get("resources")
    has_resources = resources not in (None, [])  # of the wrong type: the meta-schema says so
    if not has_resources:
        check.findings.append(_finding("package_has_resources", "the descriptor lists no resources", name, line=1))
    locate = _Locator(text)
    for error in _meta_errors("datapackage.json", descriptor):
        where = tuple(error.absolute_path)
        if not has_resources and where in ((), ("resources",)) and error.validator in ("required", "minItems"):
            continue  # package_has_resources says it plainly
        check.findings.append(
            _finding("descriptor_is_valid", f"{error.json_path}: {_short(error.message)}", name, line=locate(where))
        )
    if not isinstance(resources, list):
        return check

    if len(resources) > MAX_RESOURCES:  # each costs a schema check and a file: bound the work
        check.findings.append(_finding("descriptor_is_valid", f"the descriptor lists {len(resources):,} resources; at most "
                                       f"{MAX_RESOURCES:,} are checked, the rest are not read", name,
                                       line=locate(("resources", MAX_RESOURCES))))
        resources = resources[:MAX_RESOURCES]
    names = [resource.get("name") for resource in resources if isinstance(resource, dict)]
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            continue
        resource_name = resource.get("name") if isinstance(resource.get("name"), str) else f"resources[{index}]"
        if names.count(resource_name) > 1 and names.index(resource_name) != index:
            check.findings.append(_finding("descriptor_is_valid", f"$.resources[{index}].name: resource name "
                                           f"{resource_name!r} is already used by another resource", name,
                                           line=locate(("resources", index, "name")), resource=resource_name))
        spec = _check_resource(check, resource, index, resource_name, locate)
        check.resources.append(spec)
    _check_references(check)
    return check


def _check_resource(check: PackageCheck, resource: dict[str, Any], index: int, name: str, locate: _Locator) -> ResourceSpec:
    descriptor_name = check.descriptor_path.name
    declared = resource.get("path")
    spec = ResourceSpec(name=name, path=_normal(declared) if isinstance(declared, str) else f"resources[{index}]",
                        descriptor=resource, fallback=needs_frictionless(resource))
    if isinstance(declared, str):
        spec.file = _openable(check, declared, "resource path", name, descriptor_name, locate(("resources", index, "path")))
    raw = resource.get("schema")
    if isinstance(raw, str) and _normal(raw) in check.schema_files:
        shared = check.schema_files[_normal(raw)]
        spec.schema_source, spec.schema_locate = shared.schema_source, shared.schema_locate
        spec.raw_schema, spec.schema = shared.raw_schema, shared.schema
        spec.fallback = spec.fallback or schema_needs_frictionless(spec.raw_schema)
        return spec
    if isinstance(raw, str):
        schema_file = _openable(check, raw, "schema path", name, descriptor_name, locate(("resources", index, "schema")))
        if schema_file is None:
            return spec
        spec.schema_source = _normal(raw)
        check.schema_files[spec.schema_source] = spec
        try:
            data = safe_io.read_inside(check.root, schema_file)
        except safe_io.PackagePathError as exc:
            check.findings.append(_finding("resource_file_exists", f"{spec.schema_source} {exc.reason}",
                                           spec.schema_source, resource=name))
            return spec
        except OSError as exc:
            check.findings.append(_finding("resource_file_exists", f"{spec.schema_source} cannot be read: "
                                           f"{exc.strerror or exc}", spec.schema_source, resource=name))
            return spec
        document = _read_json(data, spec.schema_source, name, check.findings)
        if document is None:
            return spec
        raw, text = document
        spec.schema_locate = _Locator(text)
    elif isinstance(raw, dict):
        spec.schema_prefix = ("resources", index, "schema")
        spec.schema_locate = locate
    else:
        return spec  # missing or of the wrong type: the meta-schema reports it

    def add(where: tuple[Any, ...], message: str) -> None:
        check.findings.append(_finding("table_schema_is_valid", f"{spec.schema_json_path(where)}: {_short(message)}",
                                       spec.schema_source, line=spec.schema_line(where), resource=name))

    for error in _meta_errors("tableschema.json", raw):
        add(tuple(error.absolute_path), error.message)
    spec.schema, problems = compile_schema(raw)
    for json_path, message in problems:
        add(_path_parts(json_path), message)
    spec.raw_schema = raw if isinstance(raw, dict) else None
    spec.fallback = spec.fallback or schema_needs_frictionless(spec.raw_schema)
    return spec


def _check_references(check: PackageCheck) -> None:
    """Foreign keys must name a declared resource and fields of it, of the same types."""
    specs = {spec.name: spec for spec in check.resources}
    for spec in check.resources:
        if spec.schema is None:
            continue
        own_types = {field_spec.name: field_spec.type for field_spec in spec.schema.fields}
        for key in spec.schema.foreign_keys:
            where = ("foreignKeys", key.index, "reference")
            target = specs.get(key.resource or spec.name)
            problem = None
            if target is None:
                problem = f"foreign key ({', '.join(key.fields)}) refers to resource {key.resource!r}, which the package does not declare"
            elif target.schema is not None:
                target_types = {field_spec.name: field_spec.type for field_spec in target.schema.fields}
                unknown = [name for name in key.reference_fields if name not in target_types]
                if unknown:
                    problem = f"foreign key refers to fields {unknown} that {target.name} does not have"
                else:
                    for own, other in zip(key.fields, key.reference_fields):
                        if _comparable(own_types[own]) != _comparable(target_types[other]):
                            problem = (f"foreign key field {own!r} is {own_types[own]} but {target.name}.{other} is "
                                       f"{target_types[other]}, so no value can match")
                            break
            if problem:
                check.findings.append(_finding("table_schema_is_valid", f"{spec.schema_json_path(where)}: {problem}",
                                               spec.schema_source, line=spec.schema_line(where), resource=spec.name))


def _comparable(type_: str) -> str:
    """Integers and numbers compare equal (1 == 1.0); other types only with themselves."""
    return "number" if type_ == "integer" else type_


def _openable(check: PackageCheck, declared: str, what: str, resource: str, descriptor_name: str,
              line: int | None) -> Path | None:
    """The file a declared path names, if it is inside the package and a readable file."""
    shown = _normal(declared)
    problem = path_problem(declared)
    missing = False
    if problem is None:
        try:
            base, inner = safe_io.check_inside(check.root, declared)
            resolved = base / inner
        except safe_io.MissingFileError:
            missing = True
        except safe_io.PackagePathError as exc:
            problem = exc.reason
    if problem is not None:
        check.findings.append(_finding("resource_path_inside_package", f"{what} {declared!r} {problem}",
                                       descriptor_name, line=line, resource=resource, value=declared))
        return None
    try:
        if missing:
            raise FileNotFoundError(declared)
        mode = resolved.lstat().st_mode
    except FileNotFoundError:
        check.findings.append(_finding("resource_file_exists", f"{shown} does not exist ({what} of {resource})",
                                       shown, resource=resource))
        return None
    except OSError as exc:
        check.findings.append(_finding("resource_file_exists", f"{shown} cannot be read: {exc.strerror or exc}",
                                       shown, resource=resource))
        return None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else safe_io.kind_of(mode)
        check.findings.append(_finding("resource_file_exists", f"{shown} is {kind} ({what} of {resource})",
                                       shown, resource=resource))
        return None
    return resolved


def _normal(declared: str) -> str:
    """A declared path as reports show it: forward slashes, no './'."""
    return posixpath.normpath(declared.replace("\\", "/"))


def _read_json(data: bytes, path: str, resource: str | None, findings: list[Finding]) -> tuple[Any, str] | None:
    """Parse a JSON file; a finding with line and column when it is not UTF-8 JSON."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        findings.append(_finding("descriptor_is_json", f"byte 0x{data[exc.start:exc.start + 1].hex()} on line {line} "
                                 "is not UTF-8", path, line=line, resource=resource))
        return None
    too_deep = _too_deep(text)
    if too_deep is not None:
        findings.append(_finding("descriptor_is_json", f"nested more than {MAX_JSON_DEPTH} levels deep on line {too_deep}; "
                                 "a descriptor or Table Schema needs fewer than ten", path, line=too_deep,
                                 resource=resource))
        return None
    try:
        return strict_json.loads(text, parse_constant=_reject_constant), text
    except strict_json.DuplicateKeyError as exc:
        findings.append(_finding("descriptor_is_json", f"invalid JSON: {exc}", path, line=exc.line, resource=resource))
    except json.JSONDecodeError as exc:
        findings.append(_finding("descriptor_is_json", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                                 path, line=exc.lineno, resource=resource))
    except ValueError as exc:
        findings.append(_finding("descriptor_is_json", f"invalid JSON: {exc}", path, resource=resource))
    return None


MAX_RESOURCES = 1_000  # the package has 11; a descriptor of 10,000 would take minutes
MAX_JSON_DEPTH = 64  # far beyond any real descriptor; deeper would exhaust Python's recursion in json and jsonschema
_JSON_SPECIAL = re.compile(r'[\[\]{}"\\]')


def _too_deep(text: str) -> int | None:
    """The line where arrays and objects nest deeper than MAX_JSON_DEPTH, if they do (brackets
    inside strings do not count). One pass over the text, whatever it holds."""
    depth, in_string, escaped = 0, False, -1
    for match in _JSON_SPECIAL.finditer(text):
        position, char = match.start(), match.group()
        if in_string:
            if position == escaped:
                continue
            if char == "\\":
                escaped = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return text.count("\n", 0, position) + 1
        elif char in "]}":
            depth -= 1
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (write a number or null)")


def _finding(rule_id: str, message: str, path: str, *, line: int | None = None, resource: str | None = None,
             value: Any = None) -> Finding:
    rule = _RULES[rule_id]
    return Finding(rule.id, rule.severity, message, resource, path, line, (line,) if line else (), None, value)


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


# --- Meta-schemas ---


# The two formats the Data Package v2 profile declares and frictionless checks (`created`, an
# `email`); jsonschema checks no format unless given a checker, and this one knows only these.
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)", re.ASCII)
_EMAIL_WORD = r"[a-z0-9!#$%&'*+/=?^_`{|}~\u00a0-\u024f-]+"
_EMAIL_LOCAL = re.compile(rf"{_EMAIL_WORD}(\.{_EMAIL_WORD})*", re.IGNORECASE)
_EMAIL_DOMAIN = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9][a-z0-9-]{0,61}[a-z]", re.IGNORECASE)
FORMAT_NAMES = {"date-time": "an RFC 3339 date-time such as 2024-05-01T12:00:00Z", "email": "an email address"}


def _is_date_time(value: Any) -> bool:
    """RFC 3339 (section 5.6): a date, 'T', a time and a 'Z' or an offset, all in range."""
    if not isinstance(value, str):
        return True  # the type keyword reports it
    if not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_email(value: Any) -> bool:
    """As frictionless checks an email: one '@', a dot-separated name before it, a domain name
    (IDNA for non-ASCII) with a top-level part ending in a letter after it."""
    if not isinstance(value, str):
        return True
    local, at, domain = value.rpartition("@")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return (at == "@" and "@" not in local and len(local) <= 64 and len(ascii_domain) <= 253
            and bool(_EMAIL_LOCAL.fullmatch(local)) and bool(_EMAIL_DOMAIN.fullmatch(ascii_domain)))


@lru_cache(maxsize=None)
def _meta_validator(name: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    formats = FormatChecker(formats=())
    formats.checks("date-time")(_is_date_time)
    formats.checks("email")(_is_email)
    schema = json.loads((META_SCHEMAS / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=formats)


def _meta_errors(name: str, instance: Any) -> Iterator[Any]:
    errors = _meta_validator(name).iter_errors(instance)
    for error in errors:
        if error.validator == "not" and error.validator_value == {} and error.absolute_path:  # said plainly
            error.message = f"{error.absolute_path[-1]!r} is not allowed here"
        elif error.validator == "format" and error.validator_value in FORMAT_NAMES:
            error.message = f"{error.instance!r} is not {FORMAT_NAMES[error.validator_value]}"
        yield error


# --- Where a JSON path is in the file, for findings a person can jump to ---


def _json_path(parts: tuple[Any, ...]) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def _path_parts(json_path: str) -> tuple[Any, ...]:
    return tuple(int(index) if index else key for key, index in _PATH_PART.findall(json_path))


class _Locator:
    """Maps JSON paths to the line where that member or element starts."""

    def __init__(self, text: str):
        self.text = text
        self._lines: dict[tuple[Any, ...], int] | None = None

    def __call__(self, where: tuple[Any, ...]) -> int | None:
        if self._lines is None:
            self._lines = _json_lines(self.text)
        where = tuple(where)
        while where not in self._lines and where:
            where = where[:-1]
        return self._lines.get(where)


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _json_lines(text: str) -> dict[tuple[Any, ...], int]:
    newlines = [index for index, char in enumerate(text) if char == "\n"]
    decoder = json.JSONDecoder()
    lines: dict[tuple[Any, ...], int] = {}

    def skip(pos: int) -> int:
        return _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]

    def value(pos: int, path: tuple[Any, ...]) -> int:
        pos = skip(pos)
        lines.setdefault(path, bisect.bisect_right(newlines, pos - 1) + 1)
        char = text[pos]
        if char == "{":
            pos = skip(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                key_start = pos
                key, pos = json.decoder.scanstring(text, pos + 1)
                lines[path + (key,)] = bisect.bisect_right(newlines, key_start - 1) + 1
                pos = skip(skip(pos) + 1)  # past the colon
                pos = skip(value(pos, path + (key,)))
                if text[pos] == "}":
                    return pos + 1
                pos = skip(pos + 1)
        if char == "[":
            pos = skip(pos + 1)
            if text[pos] == "]":
                return pos + 1
            index = 0
            while True:
                pos = skip(value(pos, path + (index,)))
                if text[pos] == "]":
                    return pos + 1
                pos = skip(pos + 1)
                index += 1
        _, end = decoder.raw_decode(text, pos)
        return end

    try:
        value(0, ())
    except (ValueError, IndexError):
        pass  # only called on text json.loads accepted; a gap here just loses line numbers
    return lines


__all__ = ["PACKAGE_RULES", "PackageCheck", "PackageNotFound", "ResourceSpec", "check_package",
           "locate_descriptor", "path_problem"]
