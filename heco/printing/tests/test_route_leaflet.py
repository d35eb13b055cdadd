"""The tri-fold leaflet of a route: on the command line, for staff, and its QR code."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override
from pypdf import PdfReader

from heco.printing.models import ShortLink
from heco.printing.selectors import short_url
from heco.printing.tests.conftest import ASSET_TITLE_LT, ORG_NAME_LT, ROUTE_TITLE_LT
from heco.printing.tests.pdfcheck import (
    A4,
    font_descriptors,
    qr_codes,
    same_size,
    text_of,
    trim_size,
)
from heco.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def check_route_leaflet(path, route):
    reader = PdfReader(path)
    assert len(reader.pages) == 2  # outside and inside of one A4 sheet
    for page in reader.pages:
        assert same_size(trim_size(page), (A4[1], A4[0]))  # A4 landscape
    text = text_of(path)
    assert ROUTE_TITLE_LT in text
    assert ASSET_TITLE_LT in text and "Perkūno ąžuolas" in text and "Žvejų namai" in text
    assert "Pradžia prie rūmų įėjimo." in text  # a stop's note
    assert ORG_NAME_LT in text  # who to contact
    words = text.lower()
    assert "maršrutas" in words and "sustojimai" in words  # "The route", "Stops" in Lithuanian
    assert "the route" not in words and "stops" not in words
    for name, descriptor in font_descriptors(path):
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name
    link = ShortLink.objects.get(target_type="route", target_id=route.pk, medium="leaflet")
    assert qr_codes(path, page_index=0) == [short_url(link.code)]
    return link


def test_heco_print_leaflet_of_a_route_in_lithuanian(tmp_path, lt_route, client):
    out = tmp_path / "x.pdf"
    call_command("print", "leaflet", str(lt_route.pk), "--lang", "lt", "--out", str(out))
    link = check_route_leaflet(out, lt_route)
    # the printed code leads to the route's public page, in the scanner's language
    response = client.get(f"/q/{link.code}", HTTP_ACCEPT_LANGUAGE="lt")
    assert response.status_code == 302
    assert response["Location"] == "/lt/routes/plunges-dvaro-takas/"


def test_route_leaflet_by_slug_in_two_languages(tmp_path, lt_route):
    out = tmp_path / "x.pdf"
    call_command(
        "print", "leaflet", "plunges-dvaro-takas", "--lang", "lt", "--lang2", "en",
        "--out", str(out),
    )  # fmt: skip
    text = text_of(out)
    assert ROUTE_TITLE_LT in text and "Plungė manor walk" in text


def test_a_leaflet_for_an_asset_is_refused_with_a_clear_message(tmp_path, lt_route):
    with override("en"), pytest.raises(CommandError, match="needs an organisation or a route"):
        call_command(
            "print", "leaflet", "perkuno-azuolas", "--lang", "lt", "--out", str(tmp_path / "x.pdf")
        )


def test_staff_of_the_organisation_download_the_route_leaflet(client, tmp_path, lt_route):
    editor = UserFactory(username="route-editor")
    MembershipFactory(user=editor, organisation=lt_route.organisation, role="editor")
    client.force_login(editor)
    response = client.get(f"/print/leaflet/{lt_route.slug}.pdf?lang=lt")
    assert response.status_code == 200
    assert 'filename="leaflet-plunges-dvaro-takas-lt.pdf"' in response["Content-Disposition"]
    path = tmp_path / "leaflet.pdf"
    path.write_bytes(response.content)
    check_route_leaflet(path, lt_route)


def test_staff_of_another_organisation_cannot_print_the_route_leaflet(client, editor, lt_route):
    client.force_login(editor)  # edits "plunge-library", not the route's organisation
    assert client.get(f"/print/leaflet/{lt_route.slug}.pdf?lang=lt").status_code == 403


def test_the_admin_lists_the_printed_leaflet_with_a_download_link(admin_client, tmp_path, lt_route):
    call_command(
        "print", "leaflet", lt_route.slug, "--lang", "lt", "--out", str(tmp_path / "x.pdf")
    )
    page = admin_client.get("/admin/printing/shortlink/").content.decode()
    assert f'href="/print/leaflet/{lt_route.pk}.pdf"' in page
    assert admin_client.get(f"/print/leaflet/{lt_route.pk}.pdf?lang=lt").status_code == 200
