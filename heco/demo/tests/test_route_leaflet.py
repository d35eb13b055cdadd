"""``heco demo`` comes with a route leaflet: printed once (its QR short link exists), and the
PDF is an A4 landscape tri-fold in Lithuanian whose code scans to that link."""

from io import StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from heco.printing.demo import DEMO_ROUTE_SLUG
from heco.printing.documents import build_document
from heco.printing.models import ShortLink
from heco.printing.render import render_pdf
from heco.printing.selectors import short_url
from heco.printing.tests.pdfcheck import A4, qr_codes, same_size, text_of, trim_size
from heco.systems.models import Route

pytestmark = pytest.mark.django_db


def test_the_demo_contains_a_route_leaflet(tmp_path):
    out = StringIO()
    call_command("demo", "--no-images", stdout=out)
    route = Route.objects.get(slug=DEMO_ROUTE_SLUG)
    link = ShortLink.objects.get(target_type="route", target_id=route.pk, medium="leaflet")
    assert f"heco print leaflet {DEMO_ROUTE_SLUG} --lang lt" in out.getvalue()

    path = tmp_path / "leaflet.pdf"
    path.write_bytes(render_pdf(build_document("leaflet", DEMO_ROUTE_SLUG, lang="lt")))
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert same_size(trim_size(page), (A4[1], A4[0]))  # A4 landscape, three panels a side
    text = text_of(path)
    assert route.title["lt"] in text  # "Pasivaikščiojimas po Plungės dvarą"
    assert "Oginskių rūmai" in text  # the Lithuanian summary
    assert "sustojimai" in text.lower()  # "Stops" in Lithuanian
    assert qr_codes(path, page_index=0) == [short_url(link.code)]

    # reloading the demo rebuilds the routes: the old route's link goes, a new one is made
    call_command("demo", "--reset", "--no-images", stdout=StringIO())
    route = Route.objects.get(slug=DEMO_ROUTE_SLUG)
    assert ShortLink.objects.filter(target_type="route").count() == 1
    assert ShortLink.objects.get(target_type="route").target_id == route.pk
