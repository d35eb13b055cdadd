"""Every printed document: paper size, language, embedded fonts and a QR code that scans."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from heco.printing.documents import build_document
from heco.printing.models import ShortLink
from heco.printing.render import render_pdf
from heco.printing.selectors import short_url
from heco.printing.tests.conftest import ASSET_TITLE_LT, EVENT_TITLE_LT, ORG_NAME_LT
from heco.printing.tests.pdfcheck import (
    A3,
    A4,
    font_descriptors,
    qr_codes,
    render_png,
    same_size,
    text_of,
    trim_size,
)

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, kind: str, ident: str, **options) -> Path:
    document = build_document(kind, ident, **options)
    path = tmp_path / document.filename()
    path.write_bytes(render_pdf(document))
    preview = os.environ.get("HECO_PRINT_PREVIEW_DIR")  # for looking at the pages by eye
    if preview:
        Path(preview).mkdir(parents=True, exist_ok=True)
        (Path(preview) / path.name).write_bytes(path.read_bytes())
        render_png(path, Path(preview))
    return path


def assert_fonts_embedded(path: Path):
    descriptors = font_descriptors(path)
    assert descriptors
    for name, descriptor in descriptors:
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name
        assert "HECO" in str(name), f"unexpected font {name}"


def link_for(target, medium) -> ShortLink:
    return ShortLink.objects.get(target_id=target.pk, medium=medium)


def test_a3_poster_for_an_event_in_lithuanian(tmp_path, lt_event):
    path = write(tmp_path, "poster", "amatu-muge", lang="lt", size="A3")
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert same_size(trim_size(page), A3)
    # 3 mm bleed on every side around the trim box
    assert float(page.mediabox.width) == pytest.approx(A3[0] + 2 * 8.5, abs=0.5)
    text = text_of(path)
    assert EVENT_TITLE_LT in text
    words = text.lower()  # interface labels are set in capitals
    assert "kada" in words and "kur" in words  # "When", "Where" in Lithuanian
    assert "when" not in words
    assert_fonts_embedded(path)
    assert qr_codes(path) == [short_url(link_for(lt_event, "poster").code)]


def test_a4_poster_is_a4_and_can_print_two_languages(tmp_path, lt_event):
    path = write(tmp_path, "poster", str(lt_event.pk), lang="lt", lang2="en", size="A4")
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    assert same_size(trim_size(reader.pages[0]), A4)
    text = text_of(path)
    assert EVENT_TITLE_LT in text
    assert "Samogitian craft fair" in text
    assert "kada" in text.lower() and "when" in text.lower()


def test_tri_fold_leaflet_for_an_organisation(tmp_path, lt_event):
    path = write(tmp_path, "leaflet", "plunges-biblioteka", lang="lt")
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert same_size(trim_size(page), (A4[1], A4[0]))  # landscape
    text = text_of(path)
    assert ORG_NAME_LT in text
    assert ASSET_TITLE_LT in text  # its assets
    assert "Muziejaus lankymas" in text  # its services …
    assert "10:00–18:00" in text  # … with opening hours
    assert EVENT_TITLE_LT in text  # upcoming events
    assert "darbo laikas" in text.lower()  # "Opening hours"
    assert_fonts_embedded(path)
    assert qr_codes(path, page_index=0) == [
        short_url(link_for(lt_event.organisation, "leaflet").code)
    ]


def test_information_panel_for_an_asset_in_maltese(tmp_path, lt_asset):
    path = write(tmp_path, "panel", "plunges-dvaras", lang="mt", size="A4")
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    assert same_size(trim_size(reader.pages[0]), A4)
    text = text_of(path)
    assert "Il-Palazz ta' Plungė" in text
    assert "ċirkwit, ġnien u ħajt" in text  # Maltese letters survive extraction
    assert "ħin tal-ftuħ" in text.lower()  # "Opening hours" in Maltese
    assert_fonts_embedded(path)
    assert qr_codes(path) == [short_url(link_for(lt_asset, "panel").code)]


def test_a3_panel_with_two_languages_side_by_side(tmp_path, lt_asset):
    path = write(tmp_path, "panel", "plunges-dvaras", lang="lt", lang2="en")
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    assert same_size(trim_size(reader.pages[0]), A3)
    text = text_of(path)
    assert ASSET_TITLE_LT in text and "Plungė Manor Palace" in text


def test_labels_for_an_organisations_assets(tmp_path, lt_asset):
    from heco.testing.factories import AssetFactory

    second = AssetFactory(
        slug="perkuno-azuolas", title={"lt": "Perkūno ąžuolas"}, organisation=lt_asset.organisation
    )
    path = write(tmp_path, "labels", "plunges-biblioteka", lang="lt")
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    assert same_size(trim_size(reader.pages[0]), A4)
    text = text_of(path)
    assert "Perkūno ąžuolas" in text and ASSET_TITLE_LT in text
    code = link_for(second, "label").code
    assert f"/q/{code}" in text  # the printed fallback under the code
    found = set(qr_codes(path, dpi=300))
    assert found == {short_url(link_for(lt_asset, "label").code), short_url(code)}


def test_labels_for_one_asset_fill_a_3_by_8_sheet(tmp_path, lt_asset):
    path = write(tmp_path, "labels", "plunges-dvaras", lang="lt")
    assert len(PdfReader(path).pages) == 1
    codes = qr_codes(path, dpi=300)
    assert len(codes) == 24
    assert set(codes) == {short_url(link_for(lt_asset, "label").code)}


def test_programme_for_an_organisation_month(tmp_path, lt_event):
    month = lt_event.start.strftime("%Y-%m")
    path = write(tmp_path, "programme", "plunges-biblioteka", lang="lt", month=month)
    reader = PdfReader(path)
    assert same_size(trim_size(reader.pages[0]), A4)
    text = text_of(path)
    assert "renginių programa" in text.lower()  # "Event programme"
    assert EVENT_TITLE_LT in text
    assert_fonts_embedded(path)
    assert qr_codes(path) == [short_url(link_for(lt_event.organisation, "programme").code)]


def test_network_programme_lists_every_partners_events(tmp_path, lt_network, lt_event):
    month = lt_event.start.strftime("%Y-%m")
    path = write(tmp_path, "programme", "heco-net", lang="en", lang2="lt", month=month)
    text = text_of(path)
    assert "HE.CO network" in text
    assert "Feast of Saint George" in text
    assert "Samogitian craft fair" in text and EVENT_TITLE_LT in text


def test_empty_month_says_so(tmp_path, lt_org):
    path = write(tmp_path, "programme", "plunges-biblioteka", lang="en", month="2001-01")
    assert "No events are planned for this month." in text_of(path)


def test_reprinting_reuses_the_short_link(tmp_path, lt_asset):
    write(tmp_path, "panel", "plunges-dvaras", lang="lt", size="A4")
    write(tmp_path, "panel", "plunges-dvaras", lang="en", size="A4")
    assert ShortLink.objects.filter(target_id=lt_asset.pk, medium="panel").count() == 1


def test_an_all_day_event_prints_its_days_without_times(tmp_path, lt_asset):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from heco.core.models import Status
    from heco.printing.formatting import long_date
    from heco.programme.services import event_create

    vilnius = ZoneInfo("Europe/Vilnius")
    first = timezone.now().astimezone(vilnius).date() + dt.timedelta(days=10)
    event_create(
        organisation=lt_asset.organisation,
        asset=lt_asset,
        slug="oak-festival",
        title={"en": "Oak festival", "lt": "Ąžuolų šventė"},
        all_day=True,
        timezone="Europe/Vilnius",
        start=dt.datetime.combine(first, dt.time.min, vilnius),
        end=dt.datetime.combine(first + dt.timedelta(days=2), dt.time.min, vilnius),  # 2 days
        status=Status.PUBLISHED,
    )
    last = first + dt.timedelta(days=1)

    poster = text_of(write(tmp_path, "poster", "oak-festival", lang="en", size="A4"))
    assert "All day" in poster and "00:00" not in poster
    assert long_date(last, "en") in poster  # the last day, not the midnight after it
    assert long_date(first + dt.timedelta(days=2), "en") not in poster

    month = first.strftime("%Y-%m")
    programme = text_of(write(tmp_path, "programme", "plunges-biblioteka", lang="en", month=month))
    assert "Oak festival" in programme and "All day" in programme and "00:00" not in programme
