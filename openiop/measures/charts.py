"""Server-rendered trend charts: inline SVG, no JavaScript, readable without colour (the
table next to it carries the same numbers for screen readers)."""

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from openiop.measures.models import Response
from openiop.measures.schema import Definition

WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 34
# Light to dark as the band's score rises; the band's name is written inside it too.
BAND_FILLS = ["#e8f3ec", "#f5f1dc", "#f8e6d2", "#f5d9d3", "#eccbd2", "#e3c1dd"]


def trend_svg(definition: Definition, responses: Sequence[Response], zone_name: str) -> SafeString:
    """A line of the totals over time on the instrument's bands. Empty without totals."""
    points = [(r.submitted_at, r.total) for r in responses if r.total is not None]
    if not points:
        return mark_safe("")
    low, high = definition.scoring.min, definition.scoring.max
    zone = ZoneInfo(zone_name)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low or 1))

    first, last = points[0][0], points[-1][0]
    span = (last - first).total_seconds()

    def x(index: int) -> float:
        if len(points) == 1:
            return LEFT + plot_w / 2
        if span <= 0:
            return LEFT + plot_w * index / (len(points) - 1)
        return LEFT + plot_w * (points[index][0] - first).total_seconds() / span

    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="trend-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="trend-title">{escape(definition.name)} {escape(definition.trend_label)}, '
        f"{len(points)} results; the table below lists them</title>",
    ]
    for index, band in enumerate(sorted(definition.bands, key=lambda b: b.min)):
        top, bottom = y(min(band.max + 0.5, high)), y(max(band.min - 0.5, low))
        fill = BAND_FILLS[index % len(BAND_FILLS)]
        parts.append(
            f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{bottom - top:.1f}" '
            f'fill="{fill}"/>'
            f'<text x="{WIDTH - RIGHT - 4}" y="{top + 12:.1f}" text-anchor="end" '
            f'class="band-label">{escape(band.label)}</text>'
        )
    for tick in _ticks(low, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>'
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'class="grid"/>'
        )
    line = " ".join(f"{x(i):.1f},{y(total):.1f}" for i, (_at, total) in enumerate(points))
    parts.append(f'<polyline points="{line}" class="line" fill="none"/>')
    for i, (at, total) in enumerate(points):
        day = timezone.localtime(at, zone).strftime("%-d %b")
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(total):.1f}" r="4" class="dot">'
            f"<title>{day}: {total}</title></circle>"
        )
    for i in sorted({0, len(points) - 1}):
        day = timezone.localtime(points[i][0], zone).strftime("%-d %b")
        anchor = "start" if i == 0 and len(points) > 1 else "end" if i else "middle"
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}">{day}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next((s for s in (1, 2, 5, 10, 20) if span / s <= 6), 25)
    first = low - (low % step)
    return [v for v in _frange(first, high, step) if low <= v <= high]


def _frange(start: float, stop: float, step: float) -> list[float]:
    values, value = [], start
    while value <= stop:
        values.append(value)
        value += step
    return values
