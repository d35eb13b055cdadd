"""A small catalogue to publish, and a link checker for a static export (also used by the
browser test in tests/browser/test_static_site.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from heco.heritage.services import media_add
from heco.testing.factories import (
    AssetFactory,
    CommunityFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    ServiceFactory,
)

LANGS = ("en", "lt", "it", "sl", "mt", "nl")
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
AMBER_MILL = {
    "en": "Amber Mill",
    "lt": "Gintaro malūnas",
    "it": "Mulino dell'ambra",
    "sl": "Jantarjev mlin",
    "mt": "Il-Mitħna tal-Ambra",
    "nl": "Barnsteenmolen",
}
URL_ATTRIBUTES = ("href", "src", "action", "data-leaflet-js", "data-leaflet-css")


def jpeg_bytes(size=(640, 480)) -> bytes:
    image = Image.new("RGB", size, (180, 120, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def make_catalogue() -> dict:
    """Two communities far apart (so "nearby heritage" links stay local), three assets with
    titles in six languages, an image, a service and an event."""
    plunge = CommunityFactory(slug="plunge", name={"en": "Plungė", "lt": "Plungė"}, country="LT")
    piran = CommunityFactory(
        slug="piran", name={"en": "Piran", "sl": "Piran"}, country="SI", lat=45.52, lon=13.57
    )
    library = OrganisationFactory(slug="plunge-library", community=plunge)
    museum = OrganisationFactory(slug="piran-museum", community=piran, lat=45.52, lon=13.57)
    network = NetworkFactory(slug="heco-network")
    network.organisations.add(library, museum)
    mill = AssetFactory(
        slug="amber-mill",
        title=AMBER_MILL,
        summary={code: f"{AMBER_MILL[code]} ({code})" for code in LANGS},
        organisation=library,
        lat=55.92,
        lon=21.84,
    )
    tower = AssetFactory(
        slug="salt-tower",
        title={"en": "Salt Tower", "sl": "Solni stolp"},
        organisation=museum,
        kind="monument",
        lat=45.53,
        lon=13.56,
    )
    chapel = AssetFactory(
        slug="hill-chapel",
        title={"en": "Hill Chapel", "lt": "Kalno koplyčia"},
        organisation=library,
        lat=56.40,  # > 25 km from the mill: not "nearby"
        lon=22.60,
    )
    media_add(
        asset=mill,
        file=SimpleUploadedFile("mill.jpg", jpeg_bytes(), content_type="image/jpeg"),
        kind="image",
        rights=CC_BY,
        alt_text={"en": "The mill by the river"},
    )
    ServiceFactory(slug="mill-tours", organisation=library, asset=mill)
    EventFactory(slug="salt-festival", organisation=museum, asset=tower)
    return {"mill": mill, "tower": tower, "chapel": chapel, "network": network}


def html_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*.html") if "pagefind" not in p.relative_to(out).parts]


def local_links(page: Path) -> list[str]:
    """Every URL in a page's attributes and JSON data blocks."""
    doc = lxml.html.document_fromstring(page.read_bytes())
    urls = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name in URL_ATTRIBUTES:
            if element.get(name) is not None:
                urls.append(element.get(name))
        for candidate in (element.get("srcset") or "").split(","):
            if candidate.strip():
                urls.append(candidate.split()[0])
        if element.tag == "script" and element.get("type") == "application/json":
            urls.extend(_json_urls(json.loads(element.text or "null")))
    return urls


def _json_urls(data) -> list[str]:
    if isinstance(data, dict):
        found = [v for k, v in data.items() if k == "url" and isinstance(v, str) and v]
        for value in data.values():
            found.extend(_json_urls(value))
        return found
    if isinstance(data, list):
        return [u for value in data for u in _json_urls(value)]
    return []


def broken_links(out: Path) -> list[str]:
    """Links in the export that are root-relative (break on file:// and in a sub-folder) or
    point at a file that is not there. Absolute http(s) links go to the live site."""
    problems = []
    for page in html_files(out):
        for url in local_links(page):
            parts = urlsplit(url)
            if parts.scheme or url.startswith("#") or not url:
                continue
            where = page.relative_to(out)
            if url.startswith("/"):
                problems.append(f"{where}: root-relative {url}")
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                problems.append(f"{where}: {url} -> missing {target}")
    return problems
