"""Small server-rendered bar charts as inline SVG (no scripts, nothing fetched)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

COLORS = ["#07c160", "#10aeff", "#fa9d3b", "#fa5151", "#6467f0", "#999999"]


@dataclass
class Bar:
    label: str
    value: int
    color: str = COLORS[0]


def columns(bars: list[Bar], *, height: int = 180, width: int = 960, title: str = "") -> Markup:
    """Vertical bars with the value above each and the label below (e.g. one per day)."""
    n = max(len(bars), 1)
    step = width / n
    top = max((b.value for b in bars), default=0) or 1
    plot = height - 36
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, b in enumerate(bars):
        h = round(plot * b.value / top)
        x = i * step + step * 0.15
        w = step * 0.7
        y = 16 + plot - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" fill="{b.color}" rx="2">'
            f"<title>{escape(b.label)}: {b.value}</title></rect>"
        )
        if b.value:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y - 3}" text-anchor="middle" '
                f'font-size="12">{b.value}</text>'
            )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
            f'font-size="12" fill="#888">{escape(b.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def rows(bars: list[Bar], *, title: str = "") -> Markup:
    """Horizontal bars, one row per label (intents, ratings, send results)."""
    line = 24
    label_w, bar_w = 110, 260
    height = max(len(bars), 1) * line + 8
    top = max((b.value for b in bars), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 60} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if not bars:
        parts.append('<text x="4" y="18" font-size="12" fill="#888">暂无数据</text>')
    for i, b in enumerate(bars):
        y = 4 + i * line
        w = round(bar_w * b.value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(b.label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1)}" height="16" fill="{b.color}" rx="2"/>'
            f'<text x="{label_w + w + 6}" y="{y + 15}" font-size="12">{b.value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
