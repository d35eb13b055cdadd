"""Text that documents of other formats can hold."""

from __future__ import annotations

import re

# Characters XML 1.0 does not allow; harvested or typed text may contain them.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Text safe to put in an XML document (XLSX, GPX, EDM…): the characters XML 1.0
    forbids (control characters, U+FFFE/U+FFFF, lone surrogates) removed."""
    return XML_INVALID.sub("", text)
