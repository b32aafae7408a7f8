"""Where the data package lives: the repository root in a clone, a packaged copy in a wheel."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# The wheel carries datapackage.json, data/ and schemas/ here (pyproject: force-include).
PACKAGED_ROOT = Path(__file__).resolve().parent / "_package"


def default_package() -> Path:
    """The package this installation ships: the clone's datapackage.json, else the wheel's copy."""
    for root in (REPO_ROOT, PACKAGED_ROOT):
        if (root / "datapackage.json").is_file():
            return root / "datapackage.json"
    return REPO_ROOT / "datapackage.json"  # neither exists: callers report this path as missing
