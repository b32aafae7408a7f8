"""The formatter changes layout only: canonical text from the values a table holds, never a value lost."""

from __future__ import annotations

import csv
import datetime
import io
import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from country_profiles import cli, fmt, tables
from country_profiles.paths import REPO_ROOT
from spellings import spelled
from unprivileged import run_unprivileged

SCHEMA = {
    "fields": [
        {"name": "country", "type": "string"},
        {"name": "year", "type": "integer"},
        {"name": "value", "type": "number"},
        {"name": "flag", "type": "boolean"},
        {"name": "seen", "type": "date"},
        {"name": "note", "type": "string"},
    ],
    "primaryKey": ["country", "year"],
    "missingValues": [""],
}
HEADER = "country,year,value,flag,seen,note\n"


def canonical(text: str | bytes, schema=SCHEMA) -> str | None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    result, _ = fmt.format_table(data, schema)
    return result


def problems(text: str | bytes, schema=SCHEMA) -> list[tables.TableProblem]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    result, found = fmt.format_table(data, schema)
    assert result is None
    return found


def values(text: str, schema=SCHEMA) -> Counter:
    parsed = tables.parse_table(text.removeprefix("\ufeff"), schema)
    assert not parsed.problems, parsed.problems
    return Counter(tuple(sorted(row.items())) for row in parsed.rows)


# Layout that fmt rewrites


@pytest.mark.parametrize(
    ("messy", "tidy"),
    [
        pytest.param(HEADER + "KGZ,2020,1.50,TRUE,2020-01-02,\n", HEADER + "KGZ,2020,1.5,true,2020-01-02,\n", id="spellings"),
        pytest.param(HEADER + "KGZ,2020,1e3,1,,\n", HEADER + "KGZ,2020,1000,true,,\n", id="exponent-and-one"),
        pytest.param(HEADER + "KGZ,+7,-0.0,False,,\n", HEADER + "KGZ,7,0,false,,\n", id="signs-zero"),
        pytest.param(HEADER + "KGZ,2020,0.000000100,,,\n", HEADER + "KGZ,2020,0.0000001,,,\n", id="tiny"),
        pytest.param(HEADER + "KGZ,2020,2.5E+20,,,\n", HEADER + "KGZ,2020,250000000000000000000,,,\n", id="huge"),
        pytest.param(
            HEADER + "KGZ,2020,0.1000000000000000055511151231257827,,,\n",
            HEADER + "KGZ,2020,0.1000000000000000055511151231257827,,,\n",
            id="digits-beyond-float-kept",
        ),
        pytest.param(
            "note,year,country,value,flag,seen\nx,2020,KGZ,1,,\n", HEADER + "KGZ,2020,1,,,x\n", id="column-order"
        ),
        pytest.param(
            HEADER + "KGZ,2020,1,,,\nAFG,2021,2,,,\nKGZ,999,3,,,\n",
            HEADER + "AFG,2021,2,,,\nKGZ,999,3,,,\nKGZ,2020,1,,,\n",
            id="rows-by-key-numeric-year",
        ),
        pytest.param(
            '\ufeff"country","year","value","flag","seen","note"\r\n"KGZ","2020","1","","","a, b"\r\n\r\n',
            HEADER + 'KGZ,2020,1,,,"a, b"\n',
            id="bom-crlf-quote-all-blank-line",
        ),
        pytest.param(HEADER + "KGZ,2020,1,,,no newline", HEADER + "KGZ,2020,1,,,no newline\n", id="final-newline"),
        pytest.param(
            HEADER + 'KGZ,2020,1,,,"line\r\nbreak and ""quote"""\n',
            HEADER + 'KGZ,2020,1,,,"line\r\nbreak and ""quote"""\n',
            id="crlf-inside-cell-is-a-value",
        ),
    ],
)
def test_format_table_rewrites_layout_only(messy, tidy):
    assert canonical(messy) == tidy
    assert values(tidy) == values(messy)


def test_format_table_quotes_a_bare_carriage_return_so_the_row_stays_whole():
    text = canonical(HEADER + 'KGZ,2020,1,,,"a\rb"\n')
    assert text == HEADER + 'KGZ,2020,1,,,"a\rb"\n'


# Files fmt refuses, and why


@pytest.mark.parametrize(
    ("text", "line", "match"),
    [
        pytest.param(HEADER + "KGZ,2020,abc,,,\n", 2, "column value: 'abc' is not a number", id="not-a-number"),
        pytest.param(HEADER + "KGZ,2020,\"15,000\",,,\n", 2, "without thousands separators", id="grouped-number"),
        pytest.param(HEADER + "KGZ,2020.5,1,,,\n", 2, "not an integer", id="fractional-year"),
        pytest.param(HEADER + "KGZ,2020,1,yes,,\n", 2, "not a boolean", id="yes-boolean"),
        pytest.param(HEADER + "KGZ,2020,1,,2020-02-30,\n", 2, "not a date", id="impossible-date"),
        pytest.param(HEADER + "KGZ,2020,NaN,,,\n", 2, "not a figure", id="nan"),
        pytest.param(HEADER + "KGZ,2020, -0.0 ,,,\n", 2, "spaces around it", id="spaces-around-a-number"),
        pytest.param(HEADER + "KGZ,2020,1,TRUE ,,\n", 2, "not a boolean", id="spaces-around-a-boolean"),
        pytest.param(HEADER + "KGZ,2020,1e999,,,\n", 2, "too large", id="exponent-too-large"),
        pytest.param(HEADER + "KGZ,2020,1,,,a,b\n", 2, "7 cells but the header has 6", id="unquoted-comma"),
        pytest.param(HEADER + "KGZ,2020,1\n", 2, "3 cells", id="short-row"),
        pytest.param(HEADER.strip() + ",extra\nKGZ,2020,1,,,,x\n", 1, "does not declare: extra", id="unknown-column"),
        pytest.param("country,year,value,flag,seen\nKGZ,2020,1,,\n", 1, "header lacks: note", id="missing-column"),
        pytest.param("country,country,year,value,flag,seen,note\n", 1, "named twice", id="duplicate-column"),
        pytest.param(HEADER + "KGZ,2020,1,,,ok\nKGZ,2021,1,,,\"open\n", 3, "malformed CSV", id="unclosed-quote"),
        pytest.param(HEADER + 'KGZ,2020,1,,,"a"b\n', 2, "malformed CSV", id="text-after-quote"),
        pytest.param("", 1, "empty", id="empty-file"),
        pytest.param(HEADER.encode() + b"KGZ,2020,1,,,\n\xff\xfe,,\n", 3, "not UTF-8", id="not-utf8"),
    ],
)
def test_format_table_refuses_what_it_cannot_read_naming_the_line(text, line, match):
    found = problems(text)
    assert any(p.line == line and match in p.message for p in found), found


def test_every_bad_cell_of_a_file_is_reported_not_only_the_first():
    found = problems(HEADER + "KGZ,x,1,,,\nAFG,2020,y,,,\nBEN,2020,1,maybe,,\n")
    assert [p.line for p in found] == [2, 3, 4]


# The command


def make_package(root: Path, tables_text: dict[str, str]) -> Path:
    """A package of the given tables, all with SCHEMA."""
    (root / "data").mkdir(parents=True)
    (root / "schemas").mkdir()
    (root / "schemas/t.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    resources = [{"name": n, "path": f"data/{n}.csv", "schema": "schemas/t.schema.json"} for n in tables_text]
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": resources}), encoding="utf-8")
    for name, text in tables_text.items():
        (root / f"data/{name}.csv").write_bytes(text.encode("utf-8"))
    return root


TIDY = HEADER + "AFG,2020,1,,,\nKGZ,2020,2.5,true,,\n"
MESSY = HEADER + "KGZ,2020,2.50,TRUE,,\nAFG,2020,1,,,\n"
BAD = HEADER + "KGZ,2020,abc,,,\n"


def test_check_shows_a_diff_exits_1_and_writes_nothing(tmp_path, capsys):
    root = make_package(tmp_path, {"tidy": TIDY, "messy": MESSY})
    assert cli.main(["fmt", "--check", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "--- a/data/messy.csv" in out and "+KGZ,2020,2.5,true,,\n" in out and "-KGZ,2020,2.50,TRUE,,\n" in out
    assert "tidy.csv" not in out
    assert "data/messy.csv: not canonical: rows not sorted by primary key; 2 cells spelled" in err
    assert (root / "data/messy.csv").read_text(encoding="utf-8") == MESSY


def test_check_names_needless_quotes_as_the_reason(tmp_path, capsys):
    root = make_package(tmp_path, {"quoted": TIDY.replace("AFG,", '"AFG",')})
    assert cli.main(["fmt", "--check", str(root)]) == 1
    assert "data/quoted.csv: not canonical: quotes around cells that need none" in capsys.readouterr().err


def test_check_passes_on_canonical_tables(tmp_path, capsys):
    root = make_package(tmp_path, {"tidy": TIDY})
    assert cli.main(["fmt", "--check", str(root / "datapackage.json")]) == 0
    assert "1 canonical, 0 not canonical, 0 refused" in capsys.readouterr().err


def test_fmt_rewrites_only_files_that_change_and_leaves_refused_files_untouched(tmp_path, capsys):
    root = make_package(tmp_path, {"tidy": TIDY, "messy": MESSY, "bad": BAD})
    tidy_stat = (root / "data/tidy.csv").stat()
    assert cli.main(["fmt", str(root)]) == 1  # refused file -> exit 1
    err = capsys.readouterr().err
    assert (root / "data/messy.csv").read_text(encoding="utf-8") == TIDY
    assert (root / "data/bad.csv").read_text(encoding="utf-8") == BAD
    assert (root / "data/tidy.csv").stat().st_mtime_ns == tidy_stat.st_mtime_ns
    assert "data/bad.csv:2: column value: 'abc' is not a number" in err
    assert "data/bad.csv: left as it is" in err
    assert not list((root / "data").glob(".*"))  # no temporary file left behind
    assert cli.main(["fmt", "--check", str(root / "data/messy.csv")]) == 0


def test_a_file_that_cannot_be_written_is_reported_and_left_as_it_is(tmp_path):
    root = make_package(tmp_path / "p", {"messy": MESSY})
    (root / "data").chmod(0o555)  # no new file (the temporary) in data/, for a user without root's overrides
    result = run_unprivileged("fmt", str(root))
    (root / "data").chmod(0o755)
    assert result.returncode == 1, result
    assert "data/messy.csv:1: cannot write the file: Permission denied" in result.stderr
    assert (root / "data/messy.csv").read_text(encoding="utf-8") == MESSY
    assert sorted(p.name for p in (root / "data").iterdir()) == ["messy.csv"]  # no temporary left


def test_an_unreadable_descriptor_exits_2(tmp_path, capsys):
    root = make_package(tmp_path, {"tidy": TIDY})
    (root / "datapackage.json").write_text("{not json", encoding="utf-8")
    assert cli.main(["fmt", "--check", str(root)]) == 2
    assert "cannot read the package" in capsys.readouterr().err


def test_single_csv_files_are_formatted_with_their_package_schema(tmp_path, capsys):
    root = make_package(tmp_path, {"messy": MESSY, "other": MESSY})
    assert cli.main(["fmt", str(root / "data/messy.csv")]) == 0
    assert (root / "data/messy.csv").read_text(encoding="utf-8") == TIDY
    assert (root / "data/other.csv").read_text(encoding="utf-8") == MESSY


@pytest.mark.parametrize(
    ("argument", "match"),
    [
        pytest.param("nowhere", "not a data package", id="not-a-package"),
        pytest.param("stray.csv", "not a table of", id="csv-not-in-package"),
        pytest.param("empty-dir", "no datapackage.json there", id="folder-without-package"),
    ],
)
def test_bad_paths_exit_2_with_a_message(tmp_path, capsys, argument, match):
    root = make_package(tmp_path / "pkg", {"tidy": TIDY})
    (root / "stray.csv").write_text(TIDY, encoding="utf-8")
    (root / "empty-dir").mkdir()
    assert cli.main(["fmt", str(root / argument)]) == 2
    assert match in capsys.readouterr().err


# Properties on generated tables

safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12
)
tricky_text = st.one_of(safe_text, st.sampled_from(['a, "b"', "x\ny", "x\r\ny", "\r", " lead", "Côte d'Ivoire", "\u2028", "="]))
decimals = st.builds(
    lambda mantissa, exponent: Decimal(mantissa).scaleb(exponent),
    st.integers(-(10**25), 10**25),
    st.integers(-300, 280),  # within a double's range: validation refuses what no export could hold
)


def optional(strategy):
    return st.one_of(st.none(), strategy)


row_values = st.fixed_dictionaries(
    {
        "country": optional(tricky_text),
        "year": optional(st.integers(-(2**63), 2**63 - 1)),
        "value": optional(decimals),
        "flag": optional(st.booleans()),
        "seen": optional(st.dates(datetime.date(1678, 1, 1), datetime.date(2261, 12, 31))),
        "note": optional(tricky_text),
    }
)


@st.composite
def messy_tables(draw):
    """(values, text): rows of values and a non-canonical CSV text that holds exactly them."""
    rows = draw(st.lists(row_values, max_size=8))
    columns = draw(st.permutations([f["name"] for f in SCHEMA["fields"]]))
    records = [columns] + [[draw(spelled(row[c])) for c in columns] for row in rows]
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=quoting).writerows(records)
    text = buffer.getvalue()
    if draw(st.booleans()):  # LF line ends; quoted cells keep their own CRLF
        text = _record_ends_to_lf(text, len(records), quoting)
    if draw(st.booleans()):
        text = "\ufeff" + text
    return rows, text


def _record_ends_to_lf(text: str, count: int, quoting: int) -> str:
    out, reader = io.StringIO(), csv.reader(io.StringIO(text, newline=""))
    writer = csv.writer(out, lineterminator="\r\n", quoting=quoting)
    pieces = []
    for record in reader:
        out.seek(0)
        out.truncate()
        writer.writerow(record)
        pieces.append(out.getvalue()[:-2] + "\n")
    assert len(pieces) == count
    return "".join(pieces)


def typed(rows) -> Counter:
    return Counter(tuple(sorted(row.items())) for row in rows)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_tables())
def test_fmt_keeps_every_value_and_is_idempotent_on_generated_tables(table):
    rows, text = table
    assert values(text) == typed(rows)  # the generator's spellings all mean the values
    once = canonical(text)
    assert once is not None
    assert values(once) == values(text)  # parse(fmt(x)) == parse(x)
    assert canonical(once) == once  # fmt(fmt(x)) == fmt(x)
    assert tables.render_csv(rows, SCHEMA) == once  # the importer's writer agrees


csvish = st.text(alphabet='ab1.,"\n\r e-+TF0é', max_size=60)


@settings(max_examples=300, deadline=None)
@given(csvish)
def test_fmt_on_arbitrary_text_either_refuses_or_keeps_every_value(body):
    text = HEADER + body
    result, found = fmt.format_table(text.encode("utf-8"), SCHEMA)
    if result is None:
        assert found and all(p.line >= 1 for p in found)
        return
    assert values(result) == values(text)
    assert canonical(result) == result


# The real package


def real_tables() -> list[fmt.TableFile]:
    return [t for t in fmt.package_tables(REPO_ROOT) if t.path.is_file()]


def test_real_package_has_tables_to_check():
    assert real_tables(), "no table of the real package found"


def test_every_curated_csv_is_formatted():
    curated = {f"curated/{p.name}" for p in (REPO_ROOT / "curated").glob("*.csv")}
    assert curated <= set(fmt.CURATED_TABLES), "add the new curated table and its schema to fmt.CURATED_TABLES"
    assert all((REPO_ROOT / schema).is_file() for schema in fmt.CURATED_TABLES.values())


@pytest.mark.slow
@pytest.mark.parametrize("table", real_tables(), ids=lambda t: t.relpath)
def test_fmt_keeps_every_value_of_the_real_data(table):
    data = table.path.read_bytes()
    once, found = fmt.format_table(data, table.schema)
    if once is None:
        pytest.fail(f"fmt refuses {table.relpath}: " + "; ".join(f"line {p.line}: {p.message}" for p in found))
    assert values(once, table.schema) == values(data.decode("utf-8"), table.schema)
    assert canonical(once, table.schema) == once


def test_fmt_check_runs_on_a_copy_of_the_real_package(tmp_path, capsys):
    """The command end to end on the real schemas, on a copy so nothing in the clone changes."""
    shutil.copy(REPO_ROOT / "datapackage.json", tmp_path)
    shutil.copytree(REPO_ROOT / "schemas", tmp_path / "schemas")
    (tmp_path / "data").mkdir()
    shutil.copy(REPO_ROOT / "data/indicators.csv", tmp_path / "data")
    original = (tmp_path / "data/indicators.csv").read_bytes()
    reversed_rows = original.decode().splitlines(keepends=True)
    (tmp_path / "data/indicators.csv").write_text(reversed_rows[0] + "".join(reversed(reversed_rows[1:])), encoding="utf-8")
    assert cli.main(["fmt", "--check", str(tmp_path / "data/indicators.csv")]) == 1
    assert cli.main(["fmt", str(tmp_path / "data/indicators.csv")]) == 0
    schema = tables.json_file(tmp_path / "schemas/indicators.schema.json")
    assert (tmp_path / "data/indicators.csv").read_text(encoding="utf-8") == canonical(original, schema)
