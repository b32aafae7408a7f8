"""Write the site: gather the data once, render each page, copy the static files.

    build_site(out, package=None) -> BuildResult

The output is a folder of plain files that works offline: opened from disk, or served by any
static host (GitHub Pages). Links are relative, so the site works under any path prefix.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from time import perf_counter

from country_profiles.site import pages
from country_profiles.site.data import SiteData, gather

STATIC_FILES = ("style.css", "site.js", "favicon.svg")


@dataclass
class BuildResult:
    out: Path
    pages: list[Path] = field(default_factory=list)  # every HTML file written
    countries: int = 0
    findings: int = 0
    seconds: float = 0.0


def build_site(out: str | Path, package: str | Path | None = None) -> BuildResult:
    """Render the package's site into `out` (created; files of an earlier build are replaced)."""
    started = perf_counter()
    data = gather(package)
    result = write_site(data, Path(out))
    result.seconds = perf_counter() - started
    return result


def write_site(data: SiteData, out: Path) -> BuildResult:
    result = BuildResult(out=out, countries=len(data.profiles), findings=len(data.findings))
    (out / "countries").mkdir(parents=True, exist_ok=True)
    (out / "static").mkdir(exist_ok=True)
    stale = set((out / "countries").glob("*.html"))

    def write(relative: str, text: str) -> None:
        path = out / relative
        path.write_text(text, encoding="utf-8", newline="\n")
        result.pages.append(path)

    write("index.html", pages.index_page(data))
    write("quality.html", pages.quality_page(data))
    write("rules.html", pages.rules_page(data))
    for iso3 in sorted(data.profiles):
        write(f"countries/{iso3}.html", pages.country_page(data, iso3))
    for path in stale - set(result.pages):  # a country no longer in the package
        path.unlink()
    static = resources.files("country_profiles.site").joinpath("static")
    for name in STATIC_FILES:
        with resources.as_file(static.joinpath(name)) as source:
            shutil.copyfile(source, out / "static" / name)
    (out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve the files as they are
    return result
