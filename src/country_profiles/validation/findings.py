"""What validation reports: findings, each blamed on the rows where a person can fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True)
class Finding:
    """One problem. `line` is the CSV line of the first blamed row (header = line 1)."""

    rule: str
    severity: str
    message: str
    resource: str | None = None
    path: str | None = None
    line: int | None = None
    lines: tuple[int, ...] = ()
    field: str | None = None
    value: Any = None
    # 1-based position of the blamed cell in its CSV row, when the check knows it (structure
    # checks do); reports otherwise look `field` up in the header. Not part of the JSON report.
    column: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "resource": self.resource,
            "path": self.path,
            "line": self.line,
            "lines": list(self.lines),
            "field": self.field,
            "value": _jsonable(self.value),
            "message": self.message,
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    return str(value)


@dataclass(frozen=True)
class Rule:
    """A named condition that must hold. The id is stable: reports, docs and tests share it."""

    id: str
    severity: str
    description: str  # one line: the condition that must hold
    tables: tuple[str, ...] = field(default_factory=tuple)
    hint: str = ""  # how a contributor fixes a violation
