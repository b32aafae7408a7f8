"""Just enough Markdown for the rule catalogue: headings, paragraphs, lists, tables, code, bold, links.

Headings get GitHub's anchors, so the catalogue's own contents links work, except a rule's
heading (`rule_id` (severity)), which gets the rule id as its anchor: rules.html#borders_are_symmetric.
"""

from __future__ import annotations

import re

from country_profiles.site.markup import esc, slug

RULE_HEADING = re.compile(r"`([a-z0-9_]+)` \((error|warning)\)")
INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
TABLE_SPLIT = re.compile(r"(?<!\\)\|")


def inline(text: str) -> str:
    """Escape text and render `code`, **bold** and [links](url)."""
    out, position = [], 0
    for match in INLINE.finditer(text):
        out.append(esc(text[position:match.start()]))
        code, bold, label, url = match.groups()
        if code is not None:
            out.append(f"<code>{esc(code)}</code>")
        elif bold is not None:
            out.append(f"<strong>{inline(bold)}</strong>")
        else:
            out.append(f'<a href="{esc(url)}">{inline(label)}</a>')
        position = match.end()
    out.append(esc(text[position:]))
    return "".join(out)


def heading_id(text: str) -> str:
    rule = RULE_HEADING.fullmatch(text.strip())
    return rule.group(1) if rule else slug(text)


def _cells(line: str) -> list[str]:
    cells = TABLE_SPLIT.split(line.strip().strip("|"))
    return [cell.strip().replace("\\|", "|") for cell in cells]


def to_html(markdown: str, *, shift: int = 0) -> str:
    """The Markdown as HTML; `shift` demotes headings (1 makes # an <h2>)."""
    lines = COMMENT.sub("", markdown).splitlines()
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    n = 0
    while n < len(lines):
        line = lines[n]
        stripped = line.strip()
        heading = re.match(r"(#{1,6})\s+(.*)", stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = min(len(heading.group(1)) + shift, 6)
            text = heading.group(2)
            out.append(f'<h{level} id="{esc(heading_id(text))}">{inline(text)}</h{level}>')
        elif stripped.startswith("- "):
            flush()
            items = []
            while n < len(lines) and lines[n].strip().startswith("- "):
                items.append(f"<li>{inline(lines[n].strip()[2:])}</li>")
                n += 1
            out.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif stripped.startswith("|"):
            flush()
            rows = []
            while n < len(lines) and lines[n].strip().startswith("|"):
                rows.append(_cells(lines[n]))
                n += 1
            header, body = rows[0], [r for r in rows[1:] if not all(set(c) <= set("-: ") for c in r)]
            head = "".join(f'<th scope="col">{inline(c)}</th>' for c in header)
            rows_html = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in body)
            out.append(f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
                       f"<tbody>{rows_html}</tbody></table></div>")
            continue
        else:
            paragraph.append(stripped)
        n += 1
    flush()
    return "\n".join(out)
