"""QR codes as inline SVG (segno): the check-in code, a unit's notice-board sheet, a calendar link."""

from __future__ import annotations

import segno


def qr_svg(text: str, label: str) -> str:
    """An SVG QR code of ``text`` (no XML declaration, scales with its box), labelled for screen readers."""
    code = segno.make(text, error="m")
    svg: str = code.svg_inline(scale=4, border=2, dark="#000", light="#fff", title=label, svgclass="qr", omitsize=True)
    return svg.replace("<svg ", '<svg role="img" ', 1)
