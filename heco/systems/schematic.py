"""A schematic SVG of a route (stops as numbered dots joined in order), for print and for
the no-JavaScript page: no map tiles, so it works offline and in a PDF."""

from __future__ import annotations

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _project(points, width, height, margin):
    """Equirectangular projection scaled to fit, keeping the aspect ratio at mid-latitude."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid = math.radians((min(lats) + max(lats)) / 2)
    xs = [lon * math.cos(mid) for lon in lons]
    ys = [-lat for lat in lats]
    span_x = (max(xs) - min(xs)) or 1e-6
    span_y = (max(ys) - min(ys)) or 1e-6
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2
    return [
        (round(off_x + (x - min(xs)) * scale, 1), round(off_y + (y - min(ys)) * scale, 1))
        for x, y in zip(xs, ys, strict=True)
    ]


def route_svg(points, *, label: str, width: int = 600, height: int = 360) -> SafeString:
    """``points``: [(lat, lon)] in stop order."""
    if len(points) < 1:
        return mark_safe("")
    xy = _project(points, width, height, 28)
    line = " ".join(f"{x},{y}" for x, y in xy)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="11" fill="#ffffff" stroke="#0b5563" stroke-width="2"/>'
        '<text x="{}" y="{}" text-anchor="middle" fill="#0b5563">{}</text>',
        ((x, y, x, y + 4.5, n) for n, (x, y) in enumerate(xy, start=1)),
    )
    return format_html(
        '<svg class="route-schematic" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}" xmlns="http://www.w3.org/2000/svg">'
        '<polyline points="{line}" fill="none" stroke="#0b5563" stroke-width="3" '
        'stroke-dasharray="8 5"/>'
        '<g font-size="12" font-weight="700" font-family="sans-serif">{dots}</g></svg>',
        w=width,
        h=height,
        label=label,
        line=line,
        dots=dots,
    )
