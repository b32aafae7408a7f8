"""Documents generated from the package and the code (rule catalogue, data dictionary): print,
write, or check that the committed file is what the generator gives now."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

EXIT_STALE = 1


def stale_diff(current: str, wanted: str, name: str) -> list[str]:
    """A unified diff from the file as it is to the file as it should be."""
    return list(
        difflib.unified_diff(
            current.splitlines(keepends=True), wanted.splitlines(keepends=True),
            fromfile=f"{name} (on disk)", tofile=f"{name} (generated)",
        )
    )


def publish(text: str, target: Path, *, write: bool, check: bool, command: str, name: str | None = None) -> int:
    """Write `text` to `target`, or check it is there (a diff and EXIT_STALE when not), or print it."""
    name = name or str(target)
    if write:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {target}")
        return 0
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current == text:
            print(f"{target} is up to date")
            return 0
        sys.stdout.writelines(stale_diff(current, text, name))
        print(f"\n{name} is stale: run `{command}`", file=sys.stderr)
        return EXIT_STALE
    sys.stdout.write(text)
    return 0
