"""Short links: redirect to the current page, count scans without personal data, 404s."""

from __future__ import annotations

import pytest
from django.utils import timezone

from heco.printing.models import ShortLink, ShortLinkScanDay
from heco.printing.services import ALPHABET, CODE_LENGTH, shortlink_for, shortlink_record_scan

pytestmark = pytest.mark.django_db


def test_a_code_is_short_base32_and_unique_per_target_and_medium(lt_asset, lt_event):
    link = shortlink_for(target=lt_asset, medium="label")
    assert len(link.code) == CODE_LENGTH and set(link.code) <= set(ALPHABET)
    assert shortlink_for(target=lt_asset, medium="label") == link
    assert shortlink_for(target=lt_asset, medium="panel") != link
    assert shortlink_for(target=lt_event, medium="label").target_type == "event"


def test_scan_redirects_to_the_page_in_the_visitors_language_and_counts(client, lt_asset):
    link = shortlink_for(target=lt_asset, medium="panel")
    response = client.get(f"/q/{link.code}", HTTP_ACCEPT_LANGUAGE="lt-LT,lt;q=0.9,en;q=0.8")
    assert response.status_code == 302
    assert response["Location"] == "/lt/assets/plunges-dvaras/"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # no cookie is set
    client.get(f"/q/{link.code}", HTTP_ACCEPT_LANGUAGE="mt")
    link.refresh_from_db()
    assert link.scan_count == 2
    day = ShortLinkScanDay.objects.get(link=link)
    assert day.day == timezone.localdate() and day.count == 2


def test_unsupported_language_falls_back_like_the_public_site(client, lt_asset):
    """Requested -> the network's default (none here) -> English; not the community's
    language (lt). More in test_qr_language.py."""
    link = shortlink_for(target=lt_asset, medium="panel")
    response = client.get(f"/q/{link.code}", HTTP_ACCEPT_LANGUAGE="ja")
    assert response["Location"] == "/en/assets/plunges-dvaras/"


def test_the_link_keeps_working_when_the_page_moves(client, lt_asset):
    link = shortlink_for(target=lt_asset, medium="label")
    lt_asset.slug = "oginskiu-rumai"
    lt_asset.save()
    response = client.get(f"/q/{link.code}", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == "/en/assets/oginskiu-rumai/"


def test_event_and_organisation_links(client, lt_event):
    event_link = shortlink_for(target=lt_event, medium="poster")
    org_link = shortlink_for(target=lt_event.organisation, medium="leaflet")
    assert client.get(f"/q/{event_link.code}", HTTP_ACCEPT_LANGUAGE="it")["Location"] == (
        "/it/events/amatu-muge/"
    )
    assert client.get(f"/q/{org_link.code}", HTTP_ACCEPT_LANGUAGE="nl")["Location"] == (
        "/nl/organisations/plunges-biblioteka/"
    )


def test_a_code_typed_from_paper_is_read_leniently(client, lt_asset):
    link = shortlink_for(target=lt_asset, medium="label")
    typed = link.code.lower().replace("0", "o").replace("1", "l")
    assert client.get(f"/q/{typed}")["Location"].endswith("/assets/plunges-dvaras/")


def test_unknown_code_is_404_and_counts_nothing(client, lt_asset):
    shortlink_for(target=lt_asset, medium="label")
    assert client.get("/q/ZZZZZZZ").status_code == 404
    assert ShortLinkScanDay.objects.count() == 0


def test_a_link_to_a_deleted_record_is_404(client, db):
    import uuid

    link = ShortLink.objects.create(code="7KQ2M00", target_type="asset", target_id=uuid.uuid4())
    assert client.get(f"/q/{link.code}").status_code == 404


def test_head_requests_do_not_count(client, lt_asset):
    link = shortlink_for(target=lt_asset, medium="label")
    assert client.head(f"/q/{link.code}").status_code == 302
    link.refresh_from_db()
    assert link.scan_count == 0


def test_recording_a_scan_is_an_increment_not_a_read_modify_write(lt_asset):
    link = shortlink_for(target=lt_asset, medium="label")
    stale = ShortLink.objects.get(pk=link.pk)  # a copy loaded before the other scans
    for _ in range(3):
        shortlink_record_scan(link=link)
    shortlink_record_scan(link=stale)
    link.refresh_from_db()
    assert link.scan_count == 4
    assert ShortLinkScanDay.objects.get(link=link).count == 4


def test_the_qr_on_a_label_leads_to_the_asset_page(client, tmp_path, lt_asset):
    """Decode the printed QR code, then follow it like a phone would."""
    from urllib.parse import urlparse

    from heco.printing.documents import build_document
    from heco.printing.render import render_pdf
    from heco.printing.tests.pdfcheck import qr_codes

    path = tmp_path / "labels.pdf"
    path.write_bytes(render_pdf(build_document("labels", "plunges-dvaras", lang="lt")))
    url = qr_codes(path, dpi=300)[0]
    response = client.get(urlparse(url).path, HTTP_ACCEPT_LANGUAGE="lt")
    assert response.status_code == 302
    assert response["Location"] == "/lt/assets/plunges-dvaras/"
    assert ShortLink.objects.get(medium="label").scan_count == 1
