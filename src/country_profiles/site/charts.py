"""Charts as inline SVG, drawn at build time: no script is needed to see them.

Every chart has a viewBox and no fixed size (CSS scales it to the column, so it fits a phone),
role="img" with a <title> and a <desc> that says what the chart shows in words, axis labels
with units, and draws text and lines in currentColor or in CSS classes that the stylesheet
colours for light and dark themes. Functions are pure: data in, markup out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from country_profiles.site.markup import esc, fmt_number, fmt_range

WIDTH = 360  # viewBox units: the stylesheet scales the chart to its column; text stays >= 11 px on a phone
FONT_SIZE = 12
MAX_LABEL_CHARS = 50


@dataclass(frozen=True)
class Point:
    """One value of a series: a range when value_max is set."""

    year: int
    value: float
    value_max: float | None = None
    note: str = ""

    @property
    def middle(self) -> float:
        return self.value if self.value_max is None else (self.value + self.value_max) / 2


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    value_max: float | None = None


@dataclass(frozen=True)
class StackedRow:
    label: str
    parts: tuple[tuple[str, float], ...]  # (segment name, percent), in legend order


# --- scales ------------------------------------------------------------------------------------


def nice_step(span: float, count: int) -> float:
    """A step of 1, 2 or 5 times a power of ten giving about `count` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def nice_ticks(low: float, high: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values covering [low, high] (the first <= low, the last >= high)."""
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low, count)
    if integer:
        step = max(1.0, round(step))
    start = math.floor(low / step) * step
    ticks = []
    tick = start
    while tick < high + step * 1e-9:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 10))
    return ticks


def compact(value: float) -> str:
    """A tick label: 6.2M, 500k, 12, 2.5."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}" if magnitude else "0"


def _scale(domain: tuple[float, float], pixels: tuple[float, float]):
    (d0, d1), (p0, p1) = domain, pixels
    ratio = (p1 - p0) / (d1 - d0) if d1 != d0 else 0.0
    return lambda v: round(p0 + (v - d0) * ratio, 2)


# --- common parts ------------------------------------------------------------------------------


def _open(chart_id: str, height: float, title: str, desc: str, kind: str) -> str:
    return (
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {round(height)}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{FONT_SIZE}" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{esc(title)}</title>'
        f'<desc id="{chart_id}-desc">{esc(desc)}</desc>'
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "", extra: str = "") -> str:
    class_attr = f' class="{cls}"' if cls else ""
    return (f'<text x="{round(x, 2)}" y="{round(y, 2)}" text-anchor="{anchor}" fill="currentColor"'
            f'{class_attr}{extra}>{esc(text)}</text>')


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1].rstrip() + "…"


# --- line chart: a series over time --------------------------------------------------------------


def line_chart(chart_id: str, title: str, points: Sequence[Point], *, unit: str, subject: str) -> str:
    """A series over years: a line through the values, a dot per year, a bar for each range.

    `unit` labels the value axis ('persons', '% of GDP', 'km', or '' for counts);
    `subject` names what is counted in the text alternative ('Population of Kyrgyzstan')."""
    points = sorted(points, key=lambda p: p.year)
    height, left, right, top, bottom = 220, 46, 14, 26, 42
    years = [p.year for p in points]
    values = [v for p in points for v in (p.value, p.value_max) if v is not None]
    x_ticks = nice_ticks(min(years), max(years), 8, integer=True)
    x_ticks = [t for t in x_ticks if min(years) <= t <= max(years)] or [min(years), max(years)]
    y_ticks = nice_ticks(min(values), max(values), 4)
    low = min(values)
    if low >= 0 and low <= 0.5 * max(values):  # zero is near: show it rather than zoom in
        y_ticks = nice_ticks(0, max(values), 4)
    x = _scale((min(years), max(years)) if len(set(years)) > 1 else (years[0] - 1, years[0] + 1),
               (left, WIDTH - right))
    y = _scale((y_ticks[0], y_ticks[-1]), (height - bottom, top))

    unit_text = f" {unit}" if unit and not unit.startswith("%") else unit
    described = "; ".join(f"{p.year}: {fmt_range(p.value, p.value_max)}{unit_text}" for p in points)
    desc = (f"{subject}, {points[0].year} to {points[-1].year}, {len(points)} values: {described}."
            if len(points) > 1 else f"{subject} in {points[0].year}: {described}.")
    out = [_open(chart_id, height, title, desc, "line")]

    out.append('<g class="grid" aria-hidden="true">')
    for tick in y_ticks:
        out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(tick)}" y2="{y(tick)}" '
                   f'stroke="currentColor" stroke-opacity="0.15"/>')
    out.append("</g>")
    out.append('<g class="axis axis-y">')
    for tick in y_ticks:
        out.append(_text(left - 6, y(tick) + 4, compact(tick), anchor="end", cls="tick"))
    out.append(_text(4, 14, f"{unit or 'count'}", cls="axis-label"))
    out.append("</g>")
    out.append('<g class="axis axis-x">')
    out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{height - bottom}" y2="{height - bottom}" '
               f'stroke="currentColor" stroke-opacity="0.6"/>')
    for tick in x_ticks:
        out.append(f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{height - bottom}" y2="{height - bottom + 4}" '
                   f'stroke="currentColor" stroke-opacity="0.6"/>')
        out.append(_text(x(tick), height - bottom + 18, str(int(tick)), anchor="middle", cls="tick"))
    out.append(_text((left + WIDTH - right) / 2, height - 6, "Year", anchor="middle", cls="axis-label"))
    out.append("</g>")

    if len(points) > 1:
        path = " ".join(f"{'M' if n == 0 else 'L'}{x(p.year)},{y(p.middle)}" for n, p in enumerate(points))
        out.append(f'<path class="series-line" d="{path}" fill="none" stroke="currentColor" stroke-width="2"/>')
    for p in points:
        label = f"{p.year}: {fmt_range(p.value, p.value_max)}{unit_text}" + (f" ({p.note})" if p.note else "")
        out.append(f'<g class="series-point"><title>{esc(label)}</title>')
        if p.value_max is not None:
            out.append(f'<line x1="{x(p.year)}" x2="{x(p.year)}" y1="{y(p.value)}" y2="{y(p.value_max)}" '
                       f'stroke="currentColor" stroke-width="6" stroke-linecap="round" class="range"/>')
        out.append(f'<circle cx="{x(p.year)}" cy="{y(p.middle)}" r="4" fill="currentColor"/></g>')
    out.append("</svg>")
    return "".join(out)


# --- horizontal bars: shares of a whole ----------------------------------------------------------


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, axis_label: str, subject: str) -> str:
    """Percentages as horizontal bars on a 0-100 scale, each labelled above its bar (long names
    fit a phone) and valued at its end; the upper end of a range is a lighter extension."""
    left, right, top, row, bottom = 4, 62, 8, 38, 40
    height = top + row * len(bars) + bottom
    x = _scale((0, 100), (left, WIDTH - right))
    described = "; ".join(f"{b.label} {fmt_range(b.value, b.value_max)}%" for b in bars)
    out = [_open(chart_id, height, title, f"{subject}: {described}.", "bars")]
    axis_y = top + row * len(bars)
    out.append('<g class="grid" aria-hidden="true">')
    for tick in (0, 25, 50, 75, 100):
        out.append(f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{top}" y2="{axis_y}" '
                   f'stroke="currentColor" stroke-opacity="0.15"/>')
    out.append("</g>")
    for n, bar in enumerate(bars):
        y0 = top + n * row
        full = fmt_range(bar.value, bar.value_max) + "%"
        out.append(f'<g class="bar-row"><title>{esc(bar.label)}: {esc(full)}</title>')
        out.append(_text(left, y0 + 13, _shorten(bar.label), cls="bar-label"))
        bar_top = y0 + 18
        width = max(x(bar.value) - x(0), 0.5)
        out.append(f'<rect class="bar" x="{x(0)}" y="{bar_top}" width="{round(width, 2)}" height="14" '
                   f'fill="currentColor"/>')
        end = x(bar.value)
        if bar.value_max is not None and bar.value_max > bar.value:
            extension = x(bar.value_max) - x(bar.value)
            out.append(f'<rect class="bar-range" x="{end}" y="{bar_top}" width="{round(extension, 2)}" '
                       f'height="14" fill="currentColor" fill-opacity="0.4"/>')
            end = x(bar.value_max)
        out.append(_text(end + 4, bar_top + 11, full, cls="bar-value"))
        out.append("</g>")
    out.append('<g class="axis axis-x">')
    out.append(f'<line x1="{x(0)}" x2="{x(100)}" y1="{axis_y}" y2="{axis_y}" stroke="currentColor" '
               f'stroke-opacity="0.6"/>')
    for tick in (0, 25, 50, 75, 100):
        out.append(_text(x(tick), axis_y + 15, str(tick), anchor="middle", cls="tick"))
    out.append(_text((x(0) + x(100)) / 2, height - 4, axis_label, anchor="middle", cls="axis-label"))
    out.append("</g></svg>")
    return "".join(out)


# --- stacked bars: age structure by year -------------------------------------------------------


def stacked_chart(chart_id: str, title: str, rows: Sequence[StackedRow], segments: Sequence[str], *,
                  axis_label: str, subject: str) -> str:
    """One 100% bar per row (a year), split into `segments` (age bands) with a legend above."""
    left, right, top, row, bottom = 38, 10, 34, 34, 40
    height = top + row * len(rows) + bottom
    x = _scale((0, 100), (left, WIDTH - right))
    described = "; ".join(
        f"{r.label}: " + ", ".join(f"{name} {fmt_number(value)}%" for name, value in r.parts) for r in rows
    )
    out = [_open(chart_id, height, title, f"{subject}, by year: {described}.", "stacked")]
    out.append('<g class="legend">')
    legend_x = 8.0
    for n, name in enumerate(segments):
        out.append(f'<rect class="seg seg-{n}" x="{legend_x}" y="6" width="12" height="12" fill="currentColor" '
                   f'fill-opacity="{1 - 0.3 * n:.1f}"/>')
        out.append(_text(legend_x + 16, 16, f"{name} years", cls="legend-label"))
        legend_x += 20 + 7 * len(f"{name} years")
    out.append("</g>")
    axis_y = top + row * len(rows)
    for n, stacked in enumerate(rows):
        y0 = top + n * row + 4
        out.append('<g class="stack-row">')
        out.append(_text(left - 6, y0 + 16, stacked.label, anchor="end", cls="tick"))
        start = 0.0
        for name, value in stacked.parts:
            index = list(segments).index(name) if name in segments else 0
            x0, x1 = x(start), x(min(start + value, 100))
            out.append(f'<rect class="seg seg-{index}" x="{x0}" y="{y0}" width="{round(max(x1 - x0, 0), 2)}" '
                       f'height="24" fill="currentColor" fill-opacity="{1 - 0.3 * index:.1f}">'
                       f'<title>{esc(stacked.label)}, {esc(name)} years: {fmt_number(value)}%</title></rect>')
            if x1 - x0 >= 40:
                out.append(_text((x0 + x1) / 2, y0 + 16, f"{fmt_number(value)}%", anchor="middle",
                                 cls=f"seg-label seg-label-{index}"))
            start += value
        out.append("</g>")
    out.append('<g class="axis axis-x">')
    out.append(f'<line x1="{x(0)}" x2="{x(100)}" y1="{axis_y}" y2="{axis_y}" stroke="currentColor" '
               f'stroke-opacity="0.6"/>')
    for tick in (0, 25, 50, 75, 100):
        out.append(_text(x(tick), axis_y + 15, str(tick), anchor="middle", cls="tick"))
    out.append(_text((x(0) + x(100)) / 2, height - 4, axis_label, anchor="middle", cls="axis-label"))
    out.append("</g></svg>")
    return "".join(out)
