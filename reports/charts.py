"""Tiny server-drawn charts as inline SVG: nothing loaded from anywhere, shown as they are in the dashboard and the
PDF, and turned into PNG for email (most mail programs show no SVG)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString

BLUE, GREY, GREEN, ORANGE, INK = "#2e6fb7", "#9aa5b1", "#2e8540", "#d9822b", "#1f2933"
# Named first so the PNG renderer (which takes no fallback fonts) draws Japanese; browsers fall back as usual.
FONT = "Noto Sans CJK JP, sans-serif"


class Chart(SafeString):
    """SVG markup that keeps its label: the text alternative of the chart wherever it is shown as an image."""

    label: str = ""


def _svg(width: int, height: int, label: str, body: str) -> Chart:
    chart = Chart(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" font-family="{FONT}" font-size="11">{body}</svg>'
    )
    chart.label = label
    return chart


def line_chart(labels: list[str], series: list[tuple[str, list[float], str]], label: str, width=560, height=200):
    """Lines (name, values, colour) over the same labels, with a legend; zero-based y axis."""
    left, right, top, bottom = 40, 24, 20, 30  # room for the last day's label, centred on its point
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([max(values, default=0) for _name, values, _c in series] + [1])
    step = plot_w / max(len(labels) - 1, 1)

    def point(i, v):
        return left + i * step, top + plot_h - v / peak * plot_h

    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{GREY}"/>']
    parts.append(f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="{INK}">{peak:,.0f}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="{INK}">0</text>')
    for i, text in enumerate(labels):
        x, _y = point(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" fill="{INK}">{escape(text)}</text>')
    for n, (name, values, colour) in enumerate(series):
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))
        dash = ' stroke-dasharray="4 3"' if n else ""
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for i, v in enumerate(values):
            x, y = point(i, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"><title>{v:,}</title></circle>')
        parts.append(f'<rect x="{left + n * 160}" y="4" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{left + n * 160 + 14}" y="13" fill="{INK}">{escape(name)}</text>')
    return _svg(width, height, label, "".join(parts))


def bar_chart(items: list[tuple[str, float]], label: str, width=560, bar=18, unit=""):
    """Horizontal bars, largest value spanning the width, value printed after each bar."""
    left, gap = 150, 6
    height = max(len(items), 1) * (bar + gap) + gap
    peak = max([value for _l, value in items] + [1])
    parts = []
    for i, (text, value) in enumerate(items):
        y = gap + i * (bar + gap)
        length = (width - left - 70) * value / peak
        parts.append(
            f'<text x="{left - 6}" y="{y + bar - 5}" text-anchor="end" fill="{INK}">{escape(str(text)[:24])}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{BLUE}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + bar - 5}" fill="{INK}">{value:,}{escape(unit)}</text>'
        )
    return _svg(width, height, label, "".join(parts))


def progress_bar(actual: float, expected: float | None, target: float | None, label: str, width=560, height=46):
    """Actual toward the target, with a marker where a straight line says we should be by now."""
    if not target:
        return Chart("")
    inner = width - 20
    share = min(actual / target, 1.0)
    colour = GREEN if expected is None or actual >= expected else ORANGE
    parts = [
        f'<rect x="10" y="10" width="{inner}" height="18" fill="#e4e7eb" rx="3"/>',
        f'<rect x="10" y="10" width="{inner * share:.1f}" height="18" fill="{colour}" rx="3"/>',
    ]
    if expected is not None:
        x = 10 + inner * min(expected / target, 1.0)
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="34" stroke="{INK}" stroke-width="2"/>')
        parts.append(f'<text x="{x:.1f}" y="44" text-anchor="middle" fill="{INK}">{expected:,.0f}</text>')
    parts.append(f'<text x="{width - 10}" y="44" text-anchor="end" fill="{INK}">{target:,.0f}</text>')
    return _svg(width, height, label, "".join(parts))
