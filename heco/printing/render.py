"""HTML → PDF with WeasyPrint, in the document's language, reading only local files."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import override

from heco.printing.documents import Document
from heco.printing.fonts import font_directory


def _allowed_roots() -> list[Path]:
    return [font_directory().resolve(), Path(settings.MEDIA_ROOT).resolve()]


def local_fetcher():
    """Fonts and media from disk and data: URIs only; never the network."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in _allowed_roots()):
                    raise ValueError(f"print refuses to read {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


def render_html(document: Document) -> str:
    with override(document.lang):
        return render_to_string(document.template, document.context())


def render_pdf(document: Document) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(document)
    font_config = FontConfiguration()
    with override(document.lang):
        return HTML(
            string=html, url_fetcher=local_fetcher(), base_url=str(settings.BASE_DIR)
        ).write_pdf(
            font_config=font_config,
            pdf_identifier=False,
        )
