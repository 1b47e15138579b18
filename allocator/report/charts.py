"""Small inline SVG charts for the HTML report: no library, no network, print-friendly.

Each function returns one ``<svg>`` element as text. Values are drawn to
scale; labels and amounts are written beside the bars, so a chart printed in
black and white still reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = 18
GAP = 6
LABEL = 190
VALUE = 120
COLORS = ("#2f6f9f", "#c9d6e3", "#b5523b", "#7a9a01")


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def bars(
    title: str,
    rows: Sequence[tuple[str, float]],
    width: int = 640,
    unit: str = "",
) -> str:
    """A horizontal bar chart of (label, value) rows."""
    top = max((v for _, v in rows), default=0.0) or 1.0
    plot = width - LABEL - VALUE
    height = 28 + len(rows) * (BAR + GAP)
    parts = [_open(title, width, height)]
    for i, (label, value) in enumerate(rows):
        y = 24 + i * (BAR + GAP)
        length = max(0.0, value) / top * plot
        parts.append(_label(label, y))
        parts.append(
            f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR}" '
            f'fill="{COLORS[0]}"><title>{escape(label)}: {_fmt(value)}{unit}</title></rect>'
        )
        parts.append(
            f'<text x="{LABEL + length + 4:.1f}" y="{y + BAR - 5}" font-size="11">'
            f"{_fmt(value)}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked(
    title: str,
    rows: Sequence[tuple[str, float, float]],
    legend: tuple[str, str],
    width: int = 640,
) -> str:
    """Horizontal bars of two parts (e.g. used and unused money) per row."""
    top = max((a + b for _, a, b in rows), default=0.0) or 1.0
    plot = width - LABEL - 2 * VALUE  # room for "used / total" beside the longest bar
    height = 46 + len(rows) * (BAR + GAP)
    parts = [_open(title, width, height)]
    for i, (name, color) in enumerate(zip(legend, COLORS[:2], strict=True)):
        x = LABEL + i * 150
        parts.append(f'<rect x="{x}" y="22" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x + 16}" y="32" font-size="11">{escape(name)}</text>')
    for i, (label, first, second) in enumerate(rows):
        y = 42 + i * (BAR + GAP)
        a, b = max(0.0, first) / top * plot, max(0.0, second) / top * plot
        parts.append(_label(label, y))
        parts.append(
            f'<rect x="{LABEL}" y="{y}" width="{a:.1f}" height="{BAR}" fill="{COLORS[0]}">'
            f"<title>{escape(label)} {escape(legend[0])}: {_fmt(first)}</title></rect>"
        )
        parts.append(
            f'<rect x="{LABEL + a:.1f}" y="{y}" width="{b:.1f}" height="{BAR}" '
            f'fill="{COLORS[1]}"><title>{escape(label)} {escape(legend[1])}: '
            f"{_fmt(second)}</title></rect>"
        )
        parts.append(
            f'<text x="{LABEL + a + b + 4:.1f}" y="{y + BAR - 5}" font-size="11">'
            f"{_fmt(first)} / {_fmt(first + second)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def diverging(title: str, rows: Sequence[tuple[str, float]], width: int = 640) -> str:
    """Gains to the right, losses to the left of a middle line (a what-if comparison)."""
    top = max((abs(v) for _, v in rows), default=0.0) or 1.0
    half = (width - LABEL) / 2
    middle = LABEL + half
    height = 28 + len(rows) * (BAR + GAP)
    parts = [_open(title, width, height)]
    parts.append(f'<line x1="{middle:.1f}" y1="20" x2="{middle:.1f}" y2="{height}" stroke="#555"/>')
    for i, (label, value) in enumerate(rows):
        y = 24 + i * (BAR + GAP)
        length = abs(value) / top * (half - 70)
        x = middle if value >= 0 else middle - length
        color = COLORS[3] if value >= 0 else COLORS[2]
        parts.append(_label(label, y))
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{color}">'
            f"<title>{escape(label)}: {value:+,.0f}</title></rect>"
        )
        text_x = middle + length + 4 if value >= 0 else middle - length - 4
        anchor = "start" if value >= 0 else "end"
        parts.append(
            f'<text x="{text_x:.1f}" y="{y + BAR - 5}" font-size="11" '
            f'text-anchor="{anchor}">{value:+,.0f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _open(title: str, width: int, height: int) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>'
    )


def _label(label: str, y: int) -> str:
    shown = label if len(label) <= 30 else label[:29] + "…"
    return (
        f'<text x="{LABEL - 6}" y="{y + BAR - 5}" font-size="11" text-anchor="end">'
        f"{escape(shown)}</text>"
    )
