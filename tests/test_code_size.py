"""No module in src/ over 800 lines, no function or method over 80: long code hides what it does.

A function counts from its `def` line to its last line, docstring, comments and blank lines included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80


def size_violations(source: str, name: str) -> list[str]:
    """Each way the module `name` with text `source` is too long, one message each."""
    found = []
    length = len(source.splitlines())
    if length > MAX_MODULE_LINES:
        found.append(f"{name}: module of {length} lines (at most {MAX_MODULE_LINES})")
    for qualified, node in _functions(ast.parse(source, filename=name)):
        length = node.end_lineno - node.lineno + 1
        if length > MAX_FUNCTION_LINES:
            found.append(f"{name}:{node.lineno}: {qualified} has {length} lines (at most {MAX_FUNCTION_LINES})")
    return found


def _functions(node: ast.AST, prefix: str = ""):
    """(qualified name, node) of every function and method, nested ones too."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            qualified = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                yield qualified, child
            yield from _functions(child, qualified + ".")
        else:
            yield from _functions(child, prefix)


def test_no_module_or_function_in_src_is_too_long():
    modules = sorted(SRC.rglob("*.py"))
    assert len(modules) > 20, f"found only {len(modules)} modules under {SRC}"
    found = [problem for path in modules
             for problem in size_violations(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))]
    assert not found, "split these by responsibility:\n" + "\n".join(found)


def _function(name: str, lines: int, indent: str = "") -> str:
    """A function of exactly `lines` lines."""
    body = [f"{indent}    x = {i}" for i in range(lines - 2)]
    return "\n".join([f"{indent}def {name}():", *body, f"{indent}    return x"]) + "\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(_function("long", 81), ["m.py:1: long has 81 lines (at most 80)"], id="function-81"),
        pytest.param(
            "class Report:\n" + _function("render", 90, indent="    "),
            ["m.py:2: Report.render has 90 lines (at most 80)"],
            id="method-90",
        ),
        pytest.param(
            "def outer():\n" + _function("inner", 85, indent="    ") + "    return inner\n",
            ["m.py:1: outer has 87 lines (at most 80)", "m.py:2: outer.inner has 85 lines (at most 80)"],
            id="nested-function",
        ),
        pytest.param("x = 1\n" * 801, ["m.py: module of 801 lines (at most 800)"], id="module-801"),
        pytest.param(_function("fits", 80) + "x = 1\n" * 720, [], id="function-80-module-800"),
    ],
)
def test_the_checker_names_what_is_too_long(source, expected):
    assert size_violations(source, "m.py") == expected
