"""One escaping function per output format, for every message, value and path a report shows.

Messages quote data from pull requests, so each format gets text that cannot act in it:

- text: control characters (C0, DEL, C1, line and paragraph separators, bidirectional
  overrides) shown as escapes (\\n, \\x1b, \\u202e), so a cell cannot start a new line, colour
  the terminal or reorder what is shown; `text_line` also keeps a line from starting with `::`,
  which GitHub Actions reads as a workflow command in any log.
- github: a workflow command's message and property values by GitHub's rules (% CR LF, and
  : , in properties), after the text escapes.
- markdown: a table cell or inline text: the text escapes, then markdown punctuation that
  could open a link, an image, code, emphasis, HTML or a new cell is backslash-escaped.
- html: html.escape with quotes, after the text escapes.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text(value: Any) -> str:
    """Plain text for a terminal or a log: every control character as a visible escape."""
    return _CONTROL.sub(_escaped, "" if value is None else str(value))


def text_line(line: str) -> str:
    """A whole line of a text report: escaped, and never starting with '::' (a workflow command)."""
    line = text(line)
    return "\\:" + line[1:] if line.startswith("::") else line


def github_data(value: Any) -> str:
    """A workflow command's message (GitHub: % CR LF escaped), controls shown as in text.
    Newlines meant as line breaks (a hint under a message) are joined by the caller with '\\n'
    after escaping each part with text()."""
    return str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(value: Any) -> str:
    """A workflow command's property value (file=, title=): also : and , escaped."""
    return github_data(text(value)).replace(":", "%3A").replace(",", "%2C")


def markdown(value: Any) -> str:
    """Text for a markdown table cell or paragraph: nothing in it can become markup."""
    return _MARKDOWN.sub(r"\\\1", text(value))


def html(value: Any) -> str:
    """Text for an HTML element or a quoted attribute."""
    return _html.escape(text(value), quote=True)
