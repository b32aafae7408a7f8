"""`country-profiles audit`: a seeded sample of data/ values beside the fixture text they came from."""

from pathlib import Path

import pytest

from country_profiles.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "factbook"
HEADERS = {
    "demographics": "country,indicator,year,value,value_max,note,source_id",
    "forces": "country,indicator,year,value,value_max,note,source_id",
    "infrastructure": "country,indicator,year,value,value_max,note,source_id",
    "ethnic_groups": "country,year,group,percent,percent_max,note,source_id",
    "age_structure": "country,year,age_band,percent,note,source_id",
}


@pytest.fixture
def root(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for table, header in HEADERS.items():
        (data / f"{table}.csv").write_text(header + "\n", encoding="utf-8")
    (data / "demographics.csv").write_text(
        HEADERS["demographics"] + "\n"
        "ALP,population,2025,6219751,,,factbook-2026-01-22\n"
        "ALP,population,2021,6018789,,,factbook-2021-06-01\n"
        "KGZ,labor_force,2023,2500000,,,eastern-herald-2023\n",
        encoding="utf-8",
    )
    return tmp_path


def audit(root, *options):
    return main(["audit", str(FIXTURE), "--root", str(root), *options])


def test_every_drawn_value_is_printed_beside_its_source_text(root, capsys):
    assert audit(root, "--seed", "3", "--count", "3") == 0
    out = capsys.readouterr().out
    assert out.startswith("seed 3 (draw the same rows again with --seed 3): 3 of 3 values")
    assert "ALP population 2025 = 6219751  [factbook-2026-01-22]" in out
    assert "source: Factbook 2026-01-22, People and Society/Population/total" in out
    assert "text:   6,219,751 (2025 est.)" in out
    assert "text:   6,018,789 (July 2021 est.)" in out
    assert "KGZ labor_force 2023 = 2500000  [eastern-herald-2023]\n  source: not read from the Factbook" in out


def test_the_same_seed_draws_the_same_rows(root, capsys):
    audit(root, "--seed", "11", "--count", "1")
    first = capsys.readouterr().out
    audit(root, "--seed", "11", "--count", "1")
    assert capsys.readouterr().out == first
    drawn = {line for seed in range(12) for line in _drawn(root, capsys, seed)}
    assert len(drawn) > 1, "different seeds draw different rows"


def _drawn(root, capsys, seed):
    audit(root, "--seed", str(seed), "--count", "1")
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("data/")]


@pytest.mark.parametrize(
    ("options", "message"),
    [(("--count", "0"), "--count must be between 1 and 1000"), (("--count", "5000"), "--count must be between")],
)
def test_a_count_out_of_bounds_is_refused(root, capsys, options, message):
    assert audit(root, *options) == 2
    assert message in capsys.readouterr().err


def test_a_folder_without_the_sources_is_refused(root, tmp_path, capsys):
    assert main(["audit", str(tmp_path / "nowhere"), "--root", str(root)]) == 2
    assert "no folder 'factbook'" in capsys.readouterr().err
