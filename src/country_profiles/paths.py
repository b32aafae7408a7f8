"""Where the data package lives: the repository root in a clone."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_package() -> Path:
    """The package this installation ships: the repository's datapackage.json."""
    return REPO_ROOT / "datapackage.json"
