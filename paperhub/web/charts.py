"""Charts as server-rendered SVG (pure): line and bar charts with a text alternative.

Each chart is a <figure>: the SVG (role="img", with <title> and <desc>, a native tooltip on every point), a
caption, and the same numbers as a table in a <details>, for screen readers and for copying. Colours come
from CSS variables (--c0 ... --c7 in base.html), so the charts follow the light and dark themes.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

COLOURS = 8
_ids = count(1)


@dataclass(frozen=True)
class Series:
    """A named line: one value per x label."""

    name: str
    values: tuple[float, ...]


def nice_ticks(top: float, most: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (1, 2 or 5 times a power of ten apart)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / max(1, most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _count(value: float, unit: str) -> str:
    """A number and its unit, which is given in the plural ("papers"): "1 paper", "2 papers", "1,024 papers"."""
    return f"{_number(value)} {unit.removesuffix('s') if value == 1 else unit}"


def _span(labels: Sequence[str]) -> str:
    """Where the x labels run: "from W1 to W26", or "on W1" when there is one."""
    return f"on {labels[0]}" if len(labels) == 1 else f"from {labels[0]} to {labels[-1]}"


def _every(labels: int, width: float, room: float = 64) -> int:
    """Show every n-th x label so that they do not overlap."""
    return max(1, math.ceil(labels / max(1.0, width / room)))


# A narrow chart (a phone's screen, where a 720-wide picture is drawn at half its size or less) sets its axis labels
# larger in the picture's units, up to NARROW_FONT (site.css: about 10 px on a 375 px screen), and shows fewer x
# labels: those it leaves out are marked "minor". Margins and anchors leave room for the larger labels.
FONT = 11
NARROW_FONT = 21
_CHAR = 0.64  # a label's width per character, as a share of its font size (a digit's in DejaVu Sans, the widest)


def _text_width(text: str, font: float) -> float:
    return len(text) * _CHAR * font


def _left(ticks: Sequence[float]) -> int:
    """The left margin: room for the longest y label, set large."""
    return max(52, math.ceil(max(_text_width(_number(t), NARROW_FONT) for t in ticks)) + 10)


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    left: int = 52
    right: int = 14
    top: int = 14
    bottom: int = 34

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float, top: float) -> float:
        return self.top + self.plot_h * (1 - value / top)


def _place(frame: _Frame, label: str, x: float, font: float) -> tuple[str, float, float]:
    """A label's anchor under its point and where it then starts and ends: centred, or ending (starting) at the
    point where centred it would run out of the picture."""
    width = _text_width(label, font)
    if x + width / 2 > frame.width - 2:
        return "end", x - width, x
    if x - width / 2 < 2:
        return "start", x, x + width
    return "middle", x - width / 2, x + width / 2


def _x_labels(frame: _Frame, x_labels: Sequence[str], x_at: Sequence[float]) -> list[tuple[float, str, str, bool]]:
    """The x labels shown, as (x, label, anchor, minor): every n-th, so that they do not overlap; of those, the ones
    a narrow chart shows too, spaced for NARROW_FONT, and the others (minor) wherever they fit between."""
    every = _every(len(x_labels), frame.plot_w)
    room = max((_text_width(label, NARROW_FONT) for label in x_labels), default=0) + 12
    every_narrow = math.ceil(_every(len(x_labels), frame.plot_w, room) / every) * every
    shown: dict[int, tuple[str, bool]] = {}
    taken: list[tuple[float, float]] = []  # where the labels shown run at FONT
    end = -math.inf
    for i in range(0, len(x_labels), every_narrow):
        anchor, left, right = _place(frame, x_labels[i], x_at[i], NARROW_FONT)
        if left >= end + 12:
            shown[i], end = (anchor, False), right
            width = _text_width(x_labels[i], FONT)
            left = {"end": x_at[i] - width, "start": x_at[i]}.get(anchor, x_at[i] - width / 2)
            taken.append((left, left + width))
    for i in range(0, len(x_labels), every):
        if i not in shown:
            anchor, left, right = _place(frame, x_labels[i], x_at[i], FONT)
            if all(right + 8 <= a or left >= b + 8 for a, b in taken):
                shown[i] = (anchor, True)
                taken.append((left, right))
    return [(x_at[i], x_labels[i], *shown[i]) for i in sorted(shown)]


def _axes(frame: _Frame, ticks: list[float], x_labels: Sequence[str], x_at: Sequence[float]) -> list[str]:
    parts = ['<g class="axis">']
    for tick in ticks:
        y = frame.y(tick, ticks[-1])
        parts.append(f'<line class="grid" x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"/>')
        parts.append(f'<text x="{frame.left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="central">'
                     f'{_number(tick)}</text>')
    for x, label, anchor, minor in _x_labels(frame, x_labels, x_at):
        marked = ' class="minor"' if minor else ""
        parts.append(f'<text x="{x:.1f}" y="{frame.height - frame.bottom + 10}" text-anchor="{anchor}" '
                     f'dominant-baseline="hanging"{marked}>{escape(label)}</text>')
    parts.append("</g>")
    return parts


def _figure(svg: list[str], title: str, summary: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
            legend: Sequence[str] = ()) -> SafeString:
    chart_id = f"chart{next(_ids)}"
    table = "".join(
        "<tr>" + "".join(format_html("<th scope=\"row\">{}</th>", r[0]) if i == 0 else format_html("<td>{}</td>", c)
                         for i, c in enumerate(r)) + "</tr>" for r in rows)
    head = "".join(format_html('<th scope="col">{}</th>', h) for h in headers)
    keys = "".join(format_html('<li><span class="key k{}" aria-hidden="true"></span>{}</li>', i % COLOURS, name)
                   for i, name in enumerate(legend))
    return mark_safe(  # noqa: S308 (every piece of text in it was escaped above)
        f'<figure class="chart" aria-labelledby="{chart_id}-t">'
        f'<svg viewBox="0 0 {svg[0]}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'preserveAspectRatio="xMidYMid meet"><title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(summary)}</desc>{"".join(svg[1:])}</svg>'
        + (f'<ul class="legend">{keys}</ul>' if keys else "")
        + f"<figcaption>{escape(title)}. {escape(summary)}</figcaption>"
        f'<details><summary>The numbers</summary><table><thead><tr>{head}</tr></thead><tbody>{table}</tbody>'
        f"</table></details></figure>")


def line_chart(title: str, x_labels: Sequence[str], series: Sequence[Series], unit: str = "papers",
               width: int = 720, height: int = 260) -> SafeString:
    """Lines over shared x labels (e.g. weeks), one colour per series, every point with a tooltip."""
    top = max((v for s in series for v in s.values), default=0)
    ticks = nice_ticks(top)
    frame = _Frame(width, height, left=_left(ticks))
    n = max(1, len(x_labels) - 1)
    xs = [frame.left + frame.plot_w * i / n for i in range(len(x_labels))]
    svg = [f"{width} {height}", *_axes(frame, ticks, x_labels, xs)]
    for i, line in enumerate(series):
        points = [(x, frame.y(v, ticks[-1])) for x, v in zip(xs, line.values, strict=True)]
        svg.append(f'<polyline class="line k{i % COLOURS}" points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        svg.extend(f'<circle class="dot k{i % COLOURS}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                   f"<title>{escape(line.name)}, {escape(label)}: {escape(_count(v, unit))}</title></circle>"
                   for (x, y), label, v in zip(points, x_labels, line.values, strict=True))
    peak = max(series, key=lambda s: sum(s.values)) if series else None
    summary = (f"{len(series)} series over {_count(len(x_labels), 'points')}, {_span(x_labels)}; "
               f"the largest is {peak.name} with {_count(sum(peak.values), unit)} in all."
               if peak and x_labels else "No data.")
    rows = [[label, *(_number(s.values[i]) for s in series)] for i, label in enumerate(x_labels)]
    return _figure(svg, title, summary, ["", *(s.name for s in series)], rows, legend=[s.name for s in series])


# Fewer papers or periods than these are said as well by the result count, and their bars look like a finding.
FEWEST_DRAWN, FEWEST_PERIODS = 5, 2


def worth_drawing(values: Sequence[float]) -> bool:
    """Whether counts over periods say something as a chart: FEWEST_PERIODS or more, FEWEST_DRAWN in all or more."""
    return len(values) >= FEWEST_PERIODS and sum(values) >= FEWEST_DRAWN


def bar_chart(title: str, x_labels: Sequence[str], values: Sequence[float], unit: str = "papers",
              width: int = 720, height: int = 220) -> SafeString:
    """One bar per x label, each with a tooltip."""
    ticks = nice_ticks(max(values, default=0))
    frame = _Frame(width, height, left=_left(ticks))
    slot = frame.plot_w / max(1, len(values))
    xs = [frame.left + slot * (i + 0.5) for i in range(len(values))]
    svg = [f"{width} {height}", *_axes(frame, ticks, x_labels, xs)]
    for x, label, value in zip(xs, x_labels, values, strict=True):
        y = frame.y(value, ticks[-1])
        svg.append(f'<rect class="bar k0" x="{x - slot * 0.4:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" '
                   f'height="{frame.top + frame.plot_h - y:.1f}"><title>{escape(label)}: {escape(_count(value, unit))}'
                   "</title></rect>")
    if values:
        best = max(range(len(values)), key=lambda i: values[i])
        summary = (f"{_count(sum(values), unit)} {_span(x_labels)}; the most in "
                   f"{x_labels[best]} ({_number(values[best])}).")
    else:
        summary = "No data."
    return _figure(svg, title, summary, ["", unit.capitalize()], [[lbl, _number(v)] for lbl, v in
                                                                    zip(x_labels, values, strict=True)])
