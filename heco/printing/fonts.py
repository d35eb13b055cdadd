"""The print typeface, taken from an installed package rather than from the system.

Source Sans Pro (SIL OFL 1.1) from the ``font-source-sans-pro`` PyPI package covers the
Latin Extended-A letters of all network languages (Lithuanian ąčęėįšųūž, Maltese ċġħż,
Slovenian čšž). WeasyPrint embeds the subset it uses as a TrueType font (``/FontFile2``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FAMILY = "HECO Print Sans"  # a name no system font has, so nothing falls back silently
FACES = [
    # (file, weight, style)
    ("SourceSansPro-Regular.ttf", 400, "normal"),
    ("SourceSansPro-It.ttf", 400, "italic"),
    ("SourceSansPro-Semibold.ttf", 600, "normal"),
    ("SourceSansPro-Bold.ttf", 700, "normal"),
    ("SourceSansPro-Black.ttf", 900, "normal"),
]


def font_directory() -> Path:
    import font_source_sans_pro

    return Path(font_source_sans_pro.font_directory)


@lru_cache(maxsize=1)
def font_face_css() -> str:
    """``@font-face`` rules pointing at the package's TTF files (file:// URLs)."""
    directory = font_directory()
    rules = []
    for filename, weight, style in FACES:
        path = directory / filename
        if not path.exists():
            raise FileNotFoundError(f"print font missing: {path}")
        rules.append(
            f"@font-face {{ font-family: '{FAMILY}'; src: url('{path.as_uri()}'); "
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)
