"""Reading back a PDF the way a printer and a phone would: boxes, text, fonts, QR codes."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import zxingcpp
from pypdf import PdfReader

A4 = (595.28, 841.89)
A3 = (841.89, 1190.55)


def trim_size(page) -> tuple[float, float]:
    box = page.trimbox
    return float(box.width), float(box.height)


def same_size(actual, expected, tolerance=1.0) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def text_of(path: Path) -> str:
    """All text, whitespace (line breaks from wrapping) folded to single spaces."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return " ".join(text.split())


def font_descriptors(path: Path):
    """Every font descriptor used on any page."""
    out = []
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                if "/FontDescriptor" in descendant:
                    out.append((font["/BaseFont"], descendant["/FontDescriptor"].get_object()))
    return out


def qr_codes(path: Path, page_index: int = 0, dpi: int = 200) -> list[str]:
    """Decode the QR codes on one page from a rendered image (not from our own input)."""
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        image = pdf[page_index].render(scale=dpi / 72).to_pil()
    finally:
        pdf.close()
    return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


def render_png(path: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    pdf = pypdfium2.PdfDocument(str(path))
    files = []
    try:
        for index in range(len(pdf)):
            target = out_dir / f"{path.stem}-{index + 1}.png"
            pdf[index].render(scale=dpi / 72).to_pil().save(target)
            files.append(target)
    finally:
        pdf.close()
    return files
