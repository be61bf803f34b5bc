"""Inline SVG bar charts for count tables: no script, no external asset, every label escaped.

The unrecorded (and any other unknown row) always gets its own bar, drawn hatched in grey,
never dropped; a suppressed cell gets a "c" and no bar, so its size cannot be read off.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from joinedup.stats.shares import TableAnalysis

ROW = 22
LABEL_W = 190
BAR_W = 300
VALUE_W = 150


def bar_chart(a: TableAnalysis) -> Markup:
    rows = a.rows
    height = ROW * len(rows) + 10
    width = LABEL_W + BAR_W + VALUE_W
    biggest = max([r.count for r in rows if r.count is not None] + [1])
    uid = "h" + "".join(ch for ch in a.table.key if ch.isalnum())
    parts = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(a.table.title)}">',
        f'<defs><pattern id="{uid}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#d9d9d9"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="2"/></pattern></defs>',
    ]
    for i, r in enumerate(rows):
        y = 5 + i * ROW
        label = escape(r.category.replace("_", " "))
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-size="12">{label}</text>'
        )
        if r.count is None:
            parts.append(
                f'<text x="{LABEL_W + 4}" y="{y + 15}" font-size="12" '
                'font-style="italic">c (suppressed)</text>'
            )
            continue
        w = round(BAR_W * r.count / biggest, 1)
        fill = f"url(#{uid})" if r.unknown else "#3b6ea5"
        parts.append(
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{max(w, 0.5)}" height="{ROW - 6}" '
            f'fill="{fill}" stroke="#555" stroke-width="0.5"/>'
        )
        value = f"{r.count:,}"
        if r.share_of_total:
            value += f" ({100 * r.share_of_total[0]:.0f}% of all)"
        parts.append(
            f'<text x="{LABEL_W + w + 6}" y="{y + 15}" font-size="12">{escape(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
