"""The one guarded way to read a package's files and the one guarded way to write any output.

Reading (`open_inside`, `read_inside`, `check_inside`): a path named by a package (or given on
the command line as part of one) is opened only when it resolves to a regular file inside the
package root. The check is made on the real path and then the file is opened one folder at a
time from the root with O_NOFOLLOW, so a symlink swapped in between (at any depth, the
descriptor included) makes the open fail instead of leaving the package; O_NONBLOCK keeps a
FIFO from hanging the open and fstat then refuses it, as it refuses devices and folders.

Writing (`write_inside`, `replacing`, `output_folder`): the output folder may not be `/` nor
inside the package it is made from; files are created exclusively under a random name in
their final folder, reached without following links, and renamed over the target, so a link
planted at the target or the temporary name is replaced, never written through. Names that
come from data (country codes, resource names) go through `data_name`, which refuses anything
but a plain file name.

Python's tempfile.mkstemp takes a folder path, not a folder descriptor, so the few lines that
create the temporary file relative to an open folder are written here.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath

MAX_PATH_CHARS = 1024  # declared paths; real ones are under 60 characters
MAX_NAME_BYTES = 255  # one path component (the usual file-system limit)
MAX_FILE_BYTES = 1 << 30  # 1 GiB: beyond any table of the package (the 540x benchmark is ~140 MB)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DATA_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}")
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class PackagePathError(ValueError):
    """A path the tools may not open or write: the message names it and says why."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason or message  # the message without the path, to put after another name


class MissingFileError(PackagePathError):
    """The path is allowed but nothing is there."""


def _refuse(path: object, exc: OSError) -> PackagePathError:
    reason = _describe(exc)
    kind = MissingFileError if exc.errno == errno.ENOENT else PackagePathError
    return kind(f"{path} {reason}", reason)


def path_problem(declared: str) -> str | None:
    """Why a declared path may not be opened, judged on the text alone; None if it may."""
    if "\x00" in declared:
        return "contains a NUL byte"
    if len(declared) > MAX_PATH_CHARS:
        return f"is longer than {MAX_PATH_CHARS} characters"
    if _URL.match(declared) and not PureWindowsPath(declared).drive:
        return "is a URL; only files inside the package are read, nothing is downloaded"
    if declared.startswith(("/", "\\")) or PureWindowsPath(declared).drive or PurePosixPath(declared).is_absolute():
        return "is an absolute path; it must be relative to the package root"
    if ".." in re.split(r"[\\/]", declared):
        return "contains '..'; it must stay inside the package"
    if "\\" in declared:
        return "contains a backslash; separate folders with '/'"
    if _CONTROL.search(declared):
        return "contains a control character"
    if not declared.strip():
        return "is empty"
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in declared.split("/")):
        return f"has a name longer than {MAX_NAME_BYTES} bytes"
    return None


def _describe(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "does not exist"
    if exc.errno == errno.ELOOP:
        return "is a symlink loop, or a symlink where none may be"
    if exc.errno == errno.ENAMETOOLONG:
        return "has a name too long for the file system"
    if exc.errno == errno.ENOTDIR:
        return "goes through a symlink, or something else that is not a folder"
    return f"cannot be opened ({exc.strerror or exc})"


def kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def real_root(root: str | Path) -> Path:
    """The package root as the file system knows it (the user chose it, links included)."""
    text = os.fspath(root)
    if "\x00" in text:
        raise PackagePathError(f"{text!r}: contains a NUL byte")
    try:
        return Path(os.path.realpath(text, strict=True))
    except OSError as exc:
        raise _refuse(root, exc) from None


def check_inside(root: Path, relpath: str | Path) -> tuple[Path, str]:
    """(real root, path relative to it with no link left) of `relpath` under `root`; raises
    PackagePathError when it leads outside, loops or cannot be resolved."""
    text = os.fspath(relpath)
    problem = path_problem(text) if not os.path.isabs(text) else None
    if problem:
        raise PackagePathError(f"{text!r} {problem}", problem)
    base = real_root(root)
    try:
        real = Path(os.path.realpath(base / text, strict=True))
    except OSError as exc:
        if exc.errno == errno.ENOENT:  # a link may point to something missing outside: judge the link
            real = Path(os.path.realpath(base / text))
            if real.is_relative_to(base):
                raise _refuse(text, exc) from None
        else:
            raise _refuse(text, exc) from None
    if not real.is_relative_to(base) or real == base:
        reason = f"leads outside the package (through a symlink, to {real})"
        raise PackagePathError(f"{text} {reason}", reason)
    return base, real.relative_to(base).as_posix()


def _open_folders(base: Path, parts: list[str], *, create: bool = False) -> int:
    """A descriptor of base/parts[0]/..., each step opened without following a link."""
    fd = os.open(base, _FOLDER_FLAGS)
    try:
        for part in parts:
            if create:
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
            following = os.open(part, _FOLDER_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = following
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_inside(root: Path, relpath: str | Path, *, limit: int = MAX_FILE_BYTES) -> int:
    """A read-only descriptor of the regular file `relpath` names inside `root` (see the module)."""
    base, inner = check_inside(root, relpath)
    *folders, name = inner.split("/")
    try:
        folder = _open_folders(base, folders)
        try:
            mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
            if not stat.S_ISREG(mode):  # refused before opening: opening a device can do something
                raise PackagePathError(f"{relpath} is {kind_of(mode)}, not a file", f"is {kind_of(mode)}, not a file")
            fd = os.open(name, _READ_FLAGS, dir_fd=folder)
        finally:
            os.close(folder)
    except OSError as exc:
        raise _refuse(relpath, exc) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        reason = f"is {kind_of(info.st_mode)}, not a file"
        raise PackagePathError(f"{relpath} {reason}", reason)
    if info.st_size > limit:
        os.close(fd)
        reason = f"is {info.st_size:,} bytes; files over {limit:,} bytes are refused"
        raise PackagePathError(f"{relpath} {reason}", reason)
    os.set_blocking(fd, True)
    return fd


def read_inside(root: Path, relpath: str | Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a file inside the package (see open_inside); at most `limit` of them."""
    fd = open_inside(root, relpath, limit=limit)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # grew since fstat
        raise PackagePathError(f"{relpath} is over {limit:,} bytes; files that large are refused")
    return data


def open_text_inside(root: Path, relpath: str | Path, *, encoding: str = "utf-8"):
    """A text file object (newline='' for csv) for a file inside the package."""
    return os.fdopen(open_inside(root, relpath), "r", encoding=encoding, newline="")


# --- writing ---------------------------------------------------------------------------------


def data_name(name: object, what: str) -> str:
    """A file name built from data (a country code, a resource name), refused unless it is plain:
    letters, digits, '_', '.', '-', not starting with '.', at most 100 characters."""
    if not isinstance(name, str) or not _DATA_NAME.fullmatch(name):
        raise PackagePathError(f"{what} {name!r} cannot name a file: only letters, digits, '_', '.' and '-' "
                               "(not first) are allowed; `country-profiles validate` reports the row")
    return name


# Top-level entries of a package that hold what it reads or how it is built; outputs may not
# go there. The descriptor's own paths add theirs (protected_entries).
PROTECTED_ENTRIES = frozenset({"datapackage.json", "data", "schemas", "curated", "corrections", ".git"})


def protected_entries(package_root: Path) -> frozenset[str]:
    """PROTECTED_ENTRIES plus the first folder of every path the descriptor declares (best effort:
    an unreadable descriptor protects the fixed entries only)."""
    names = set(PROTECTED_ENTRIES)
    try:
        from country_profiles import strict_json

        descriptor = strict_json.loads(read_inside(package_root, "datapackage.json", limit=16 << 20).decode("utf-8"))
        for resource in descriptor.get("resources", [])[:100_000]:
            for key in ("path", "schema"):
                declared = resource.get(key) if isinstance(resource, dict) else None
                if isinstance(declared, str) and path_problem(declared) is None:
                    names.add(declared.split("/")[0])
    except (ValueError, OSError, AttributeError, RecursionError):
        pass
    return frozenset(names)


def _refuse_inside_package(out: object, real: Path, package_root: str | Path | None) -> None:
    if package_root is None:
        return
    package = Path(os.path.realpath(package_root))
    if real == package:
        raise PackagePathError(f"{out} is the package folder {package}; write outputs elsewhere")
    if real.is_relative_to(package):
        entry = real.relative_to(package).parts[0]
        if entry in protected_entries(package):
            raise PackagePathError(f"{out} is inside {package / entry}, which holds the package's data; "
                                   "write outputs elsewhere")


def output_folder(out: str | Path, package_root: str | Path | None = None, *, create: bool = False) -> Path:
    """The folder a command writes into (created when `create`), refused when it is '/', the
    package folder, or inside one of its protected entries (data/, schemas/, ...): a report, an
    export or a site may never replace what the package reads."""
    text = os.fspath(out)
    if "\x00" in text:
        raise PackagePathError(f"{text!r}: contains a NUL byte")
    if os.path.islink(text):  # a link committed where an output folder goes (site-build -> elsewhere)
        raise PackagePathError(f"{out} is a symlink; give the folder itself")
    real = Path(os.path.realpath(text))
    if real == Path(real.anchor):
        raise PackagePathError(f"{out}: refusing to write into the root folder {real}")
    _refuse_inside_package(out, real, package_root)
    if create:
        try:
            real.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise PackagePathError(f"{out} exists and is not a folder") from None
        except OSError as exc:
            raise PackagePathError(f"{out}: cannot create the folder: {exc.strerror or exc}") from None
    return real


def output_file(path: str | Path, package_root: str | Path | None = None) -> tuple[Path, str]:
    """(real folder, name) for a single output file (a report): not '/', not the package's
    descriptor, tables or schemas, nor anywhere in their folders."""
    text = os.fspath(path)
    if "\x00" in text:
        raise PackagePathError(f"{text!r}: contains a NUL byte")
    target = Path(text)
    if not target.name or target.name in (".", ".."):
        raise PackagePathError(f"{path}: not a file name")
    real = Path(os.path.realpath(target.parent)) / target.name  # a link at the target is replaced, not followed
    _refuse_inside_package(path, real, package_root)
    return real.parent, real.name


def _temporary(folder_fd: int, name: str) -> tuple[int, str]:
    for _ in range(100):
        temporary = f".{name[:80]}.{secrets.token_hex(8)}.tmp"
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                           0o600, dir_fd=folder_fd), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", name)


def _split(relpath: str) -> tuple[list[str], str]:
    problem = path_problem(relpath)
    if problem:
        raise PackagePathError(f"{relpath!r} {problem}")
    *folders, name = [part for part in relpath.split("/") if part not in ("", ".")]
    return folders, name


@contextmanager
def _staged(folder: Path, relpath: str, mode: int | None) -> Iterator[tuple[int, Path]]:
    """The one guarded write: folders under `folder` opened without following links (created
    where missing), an exclusive random temporary beside the target, chmod-ed through its
    descriptor, renamed over folder/relpath when the block succeeds (a link there is replaced,
    not followed) and removed otherwise. Yields the temporary's descriptor and path; `mode`
    None keeps the mode of the file replaced (0o644 for a new one)."""
    folders, name = _split(relpath)
    try:
        parent = _open_folders(Path(folder), folders, create=True)
    except OSError as exc:
        raise PackagePathError(f"{Path(folder) / relpath}: cannot write there: {_describe(exc)}") from None
    try:
        if mode is None:
            mode = _mode_of(parent, name)
        fd, temporary = _temporary(parent, name)
        try:
            try:
                os.fchmod(fd, mode)
                yield fd, Path(folder).joinpath(*folders, temporary)
            finally:
                os.close(fd)
            os.replace(temporary, name, src_dir_fd=parent, dst_dir_fd=parent)
        finally:
            try:
                os.unlink(temporary, dir_fd=parent)
            except FileNotFoundError:
                pass
    finally:
        os.close(parent)


def _mode_of(parent: int, name: str) -> int:
    """The permissions of the regular file `name` in the folder `parent`; 0o644 for none."""
    try:
        current = os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return 0o644
    return stat.S_IMODE(current.st_mode) if stat.S_ISREG(current.st_mode) else 0o644


@contextmanager
def replacing(folder: Path, relpath: str, *, mode: int = 0o644) -> Iterator[Path]:
    """A fresh, empty temporary file (by path, for writers that open it themselves: sqlite,
    parquet) next to folder/relpath; renamed over it when the block succeeds, removed otherwise."""
    with _staged(folder, relpath, mode) as (_, temporary):
        yield temporary


def write_inside(folder: Path, relpath: str, data: bytes, *, mode: int | None = None) -> Path:
    """Write `data` to folder/relpath through the guarded write (`_staged`); `mode` None keeps
    the mode of the file replaced (0o644 for a new one)."""
    with _staged(folder, relpath, mode) as (fd, _):
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
    return Path(folder) / relpath


def remove_inside(folder: Path, relpath: str) -> None:
    """Remove folder/relpath (a stale output); a link there is removed, never followed."""
    folders, name = _split(relpath)
    parent = _open_folders(Path(folder), folders)
    try:
        os.unlink(name, dir_fd=parent)
    except FileNotFoundError:
        pass
    finally:
        os.close(parent)


def list_folder(folder: Path, relpath: str) -> list[str]:
    """Names in folder/relpath (reached without links); [] when it does not exist."""
    folders = [part for part in relpath.split("/") if part not in ("", ".")]
    try:
        fd = _open_folders(Path(folder), folders)
    except FileNotFoundError:
        return []
    try:
        return os.listdir(fd)
    finally:
        os.close(fd)
