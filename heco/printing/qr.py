"""QR codes as SVG (segno), embedded in the PDF as vector graphics."""

from __future__ import annotations

import segno


def qr_svg_data_uri(url: str, *, error: str = "m", border: int = 4) -> str:
    """A ``data:image/svg+xml`` URI of a QR code for ``url``.

    ``border`` is the quiet zone in modules; 4 is what the standard asks for.
    """
    code = segno.make(url, error=error, micro=False)
    return code.svg_data_uri(border=border, dark="#000", light="#fff", omitsize=True)
