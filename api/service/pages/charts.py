"""Server-side SVG charts: the solve's progress and the weekly coverage heat map. Plain SVG text
(no library, no script), with a <title> and <desc> so that a screen reader can say what it shows."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}".rstrip("0").rstrip(".")


def progress_svg(points: Sequence[Sequence[float | None]], title: str, labels: tuple[str, str, str]) -> str:
    """Objective and bound over elapsed seconds. ``points``: [elapsed, objective|None, bound]."""
    width, height, left, right, top, bottom = 560, 240, 72, 12, 30, 34
    elapsed_label, objective_label, bound_label = labels
    xs = [float(p[0] or 0) for p in points]
    values = [float(v) for p in points for v in (p[1], p[2]) if v is not None]
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="chart-t chart-d" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-t">{escape(title)}</title>',
    ]
    if not points or not values:
        parts.append(f'<desc id="chart-d">{escape(title)}: —</desc>')
        parts.append(f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" fill="#f3f4f6" stroke="#c9c9c9"/>')
        parts.append("</svg>")
        return "".join(parts)
    x_max = max(max(xs), 1e-9)
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(v: float) -> float:
        return left + plot_w * v / x_max

    def y(v: float) -> float:
        return top + plot_h * (hi - v) / (hi - lo)

    last = points[-1]
    parts.append(
        f'<desc id="chart-d">{escape(elapsed_label)} {_fmt(xs[-1])} s; {escape(objective_label)} '
        f'{"—" if last[1] is None else _fmt(float(last[1]))}; {escape(bound_label)} {_fmt(float(last[2] or 0))}</desc>'
    )
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#c9c9c9"/>')
    for i in range(5):  # grid and value ticks
        v = lo + (hi - lo) * i / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" fill="#4a4a4a">{_fmt(v)}</text>')
    for i in range(5):
        v = x_max * i / 4
        parts.append(f'<text x="{x(v):.1f}" y="{height - 16}" font-size="11" text-anchor="middle" fill="#4a4a4a">{_fmt(v)}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 2}" font-size="11" text-anchor="middle" fill="#4a4a4a">{escape(elapsed_label)} (s)</text>')
    for index, colour, dash, name in ((1, "#9b1c1c", "", objective_label), (2, "#1d4ed8", "5 3", bound_label)):
        line = [(x(float(p[0] or 0)), y(float(p[index]))) for p in points if p[index] is not None]  # type: ignore[arg-type]
        if not line:
            continue
        path = " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(line))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        lx = left + (0 if index == 1 else 150)
        parts.append(f'<line x1="{lx}" x2="{lx + 22}" y1="12" y2="12" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        parts.append(f'<text x="{lx + 27}" y="16" font-size="12" fill="#1a1a1a">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap_svg(rows: Sequence[tuple[str, Sequence[float | None]]], weeks: Sequence[int], title: str, week_label: str) -> str:
    """Leaders x weeks: each cell's share (0..1) as a shade; None (no requirement that week) blank."""
    cell, left, top = 22, 150, 34
    width = left + cell * len(weeks) + 10
    height = top + cell * len(rows) + 10
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="heat-t heat-d" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="heat-t">{escape(title)}</title>',
        f'<desc id="heat-d">{escape(title)}: {len(rows)} × {len(weeks)}</desc>',
    ]
    for j, week in enumerate(weeks):
        parts.append(f'<text x="{left + cell * j + cell / 2}" y="{top - 8}" font-size="10" text-anchor="middle" fill="#4a4a4a">{week}</text>')
    parts.append(f'<text x="{left}" y="12" font-size="11" fill="#4a4a4a">{escape(week_label)}</text>')
    for i, (name, values) in enumerate(rows):
        yy = top + cell * i
        parts.append(f'<text x="{left - 6}" y="{yy + cell * 0.68:.1f}" font-size="11" text-anchor="end" fill="#1a1a1a">{escape(name[:14])}</text>')
        for j, value in enumerate(values):
            xx = left + cell * j
            if value is None:
                fill = "#ffffff"
            else:
                share = max(0.0, min(1.0, value))
                # from pale red (nothing) to dark green (all)
                r, g, b = int(245 - 225 * share), int(205 - 105 * share), int(205 - 160 * share)
                fill = f"#{r:02x}{g:02x}{b:02x}"
            label = "—" if value is None else f"{round(100 * value)}%"
            parts.append(
                f'<rect x="{xx}" y="{yy}" width="{cell - 2}" height="{cell - 2}" fill="{fill}" stroke="#c9c9c9">'
                f"<title>{escape(name)} · {escape(week_label)} {weeks[j]}: {label}</title></rect>"
            )
    parts.append("</svg>")
    return "".join(parts)
