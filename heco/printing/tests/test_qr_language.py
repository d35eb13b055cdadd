"""The language a printed QR code leads to: the scanner's language when the site has it,
otherwise the public site's fallback order (heco.core.langmap.pick: requested -> the
network's default -> English), not the language of the record's community. Checked the way
a phone does it: decode the code from the rendered PDF, then follow it."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from heco.printing.documents import build_document
from heco.printing.render import render_pdf
from heco.printing.tests.pdfcheck import qr_codes
from heco.testing.factories import NetworkFactory

pytestmark = pytest.mark.django_db


def scanned_path(tmp_path, kind: str, ident: str, lang: str) -> str:
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(render_pdf(build_document(kind, ident, lang=lang)))
    (url,) = set(qr_codes(path, dpi=300))  # a sheet of labels repeats the one code
    return urlparse(url).path


def follow(client, path: str, accept_language: str | None) -> str:
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language is not None else {}
    response = client.get(path, **headers)
    assert response.status_code == 302
    return response["Location"]


def test_a_scan_in_a_language_the_site_lacks_goes_to_the_networks_default(
    client, tmp_path, lt_asset
):
    assert lt_asset.community.default_language == "lt"
    network = NetworkFactory(slug="heco-net", default_language="mt")
    network.organisations.add(lt_asset.organisation)
    path = scanned_path(tmp_path, "panel", "plunges-dvaras", "lt")
    assert follow(client, path, "ja") == "/mt/assets/plunges-dvaras/"
    assert follow(client, path, "") == "/mt/assets/plunges-dvaras/"
    assert follow(client, path, None) == "/mt/assets/plunges-dvaras/"
    # a language the site has, further down the visitor's list, still comes first
    assert follow(client, path, "ja, it;q=0.5") == "/it/assets/plunges-dvaras/"
    assert follow(client, path, "lt-LT") == "/lt/assets/plunges-dvaras/"


def test_without_a_network_default_a_scan_falls_back_to_english(client, tmp_path, lt_event):
    path = scanned_path(tmp_path, "poster", "amatu-muge", "lt")
    assert follow(client, path, "ja") == "/en/events/amatu-muge/"
    assert follow(client, path, "sl") == "/sl/events/amatu-muge/"


def test_the_fallback_skips_a_network_default_the_site_does_not_have(client, tmp_path, lt_asset):
    NetworkFactory(slug="heco-net", default_language="de")
    path = scanned_path(tmp_path, "labels", "plunges-dvaras", "lt")
    assert follow(client, path, "ja") == "/en/assets/plunges-dvaras/"
