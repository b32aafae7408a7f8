"""Write the site: gather the data once, render each page, copy the static files.

    build_site(out, package=None) -> BuildResult

The output is a folder of plain files that works offline: opened from disk, or served by any
static host (GitHub Pages). Links are relative, so the site works under any path prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from time import perf_counter

from country_profiles import safe_io
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
    from country_profiles import api

    folder = safe_io.output_folder(out, api.package_root(package))  # refused before the work: '/', data/ ...
    data = gather(package)
    result = write_site(data, safe_io.output_folder(folder, api.package_root(package), create=True))
    result.seconds = perf_counter() - started
    return result


def write_site(data: SiteData, out: Path) -> BuildResult:
    """Every file goes through safe_io: a link planted in OUT is replaced, never written through,
    and a country code that cannot name a file stops the build before anything is written."""
    result = BuildResult(out=out, countries=len(data.profiles), findings=len(data.findings))
    names = {iso3: safe_io.data_name(iso3, "country code") + ".html" for iso3 in data.profiles}

    def write(relative: str, text: str) -> None:
        result.pages.append(safe_io.write_inside(out, relative, text.encode("utf-8"), mode=0o644))

    write("index.html", pages.index_page(data))
    write("quality.html", pages.quality_page(data))
    write("rules.html", pages.rules_page(data))
    for iso3 in sorted(data.profiles):
        write(f"countries/{names[iso3]}", pages.country_page(data, iso3))
    current = set(names.values())
    for stale in safe_io.list_folder(out, "countries"):  # a country no longer in the package
        if stale.endswith(".html") and stale not in current:
            safe_io.remove_inside(out, f"countries/{stale}")
    static = resources.files("country_profiles.site").joinpath("static")
    for name in STATIC_FILES:
        safe_io.write_inside(out, f"static/{name}", static.joinpath(name).read_bytes(), mode=0o644)
    safe_io.write_inside(out, ".nojekyll", b"", mode=0o644)  # GitHub Pages: serve the files as they are
    return result
