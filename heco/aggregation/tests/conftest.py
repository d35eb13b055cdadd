"""Fixtures for the provider-side tests: the official schemas, assets with real image files."""

import io
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from lxml import etree
from PIL import Image

from heco.heritage.models import Media
from heco.testing.factories import AssetFactory, ExternalIdentifierFactory

# The shared folder sits beside the repository (CI copies it there too).
SCHEMAS = Path(__file__).resolve().parents[3] / ".." / "shared" / "schemas"


@pytest.fixture(scope="session")
def oai_edm_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "oai-pmh" / "oai-pmh-with-edm.xsd")))


@pytest.fixture(scope="session")
def oai_dc_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "oai-pmh" / "oai-pmh-with-oai_dc.xsd")))


@pytest.fixture(scope="session")
def edm_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "edm" / "EDM.xsd")))


@pytest.fixture(scope="session")
def iiif_validator():
    import jsonschema

    schema = json.loads((SCHEMAS / "iiif" / "iiif_3_0.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def image_bytes(width=64, height=48, fmt="JPEG", color=(120, 80, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, fmt)
    return buf.getvalue()


def add_image(
    asset,
    *,
    width=64,
    height=48,
    rights="http://creativecommons.org/licenses/by/4.0/",
    credit="Photo: Jonas Test",
    position=0,
    set_size=True,
    **extra,
):
    media = Media(
        asset=asset, kind=Media.Kind.IMAGE, rights=rights, credit=credit, position=position, **extra
    )
    if set_size:
        media.width, media.height = width, height
    media.file.save(f"img-{position}.jpg", ContentFile(image_bytes(width, height)), save=False)
    media.save()
    return media


@pytest.fixture
def rich_asset(db, network, settings):
    """A published asset with every field the crosswalks map, two images and a document."""
    settings.HECO_DEFAULT_NETWORK = network.slug
    asset = AssetFactory(
        slug="plunge-manor",
        title={"lt": "Plungės dvaras", "en": "Plungė Manor", "it": "Maniero di Plungė"},
        summary={"en": "Manor of the Oginskis.", "lt": "Oginskių dvaras."},
        description={"en": "A neo-Renaissance manor house.", "lt": "Neorenesansinis dvaras."},
        kind="building",
        organisation=network.organisations.get(slug="plunge-library"),
        address="Parko g. 1, Plungė",
        lat=55.9113,
        lon=21.8445,
        dating="1879/1880",
        start_year=1879,
        end_year=1880,
        tags=["manor", "architecture"],
    )
    ExternalIdentifierFactory(asset=asset, scheme="wikidata", value="Q3396735")
    ExternalIdentifierFactory(asset=asset, scheme="lt-kvr", value="22034")
    add_image(
        asset,
        width=80,
        height=60,
        caption={"en": "Front", "lt": "Fasadas"},
        alt_text={"en": "The manor's front"},
    )
    add_image(
        asset,
        position=1,
        width=30,
        height=40,
        credit="",
        rights="http://rightsstatements.org/vocab/InC/1.0/",
    )
    Media.objects.create(
        asset=asset,
        kind=Media.Kind.DOCUMENT,
        position=2,
        credit="Archive",
        rights="http://creativecommons.org/publicdomain/mark/1.0/",
        file=ContentFile(b"%PDF-1.4 test", name="plan.pdf"),
    )
    return asset


OAI_NS = {"o": "http://www.openarchives.org/OAI/2.0/"}


@pytest.fixture
def oai(client, oai_edm_schema, oai_dc_schema, edm_schema):
    """GET (or POST) /oai; validate the whole response against the official schemas (and
    every EDM record against EDM.xsd on its own); return the parsed root."""

    def call(method="get", **params):
        response = getattr(client, method)("/oai", params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/xml")
        assert response["Access-Control-Allow-Origin"] == "*"
        root = etree.fromstring(response.content)
        prefix = params.get("metadataPrefix")
        schema = oai_dc_schema if prefix == "oai_dc" else oai_edm_schema
        schema.assertValid(root)
        for rdf in root.iterfind(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"):
            edm_schema.assertValid(etree.ElementTree(etree.fromstring(etree.tostring(rdf))))
        return root

    return call


def error_code(root):
    errors = root.findall("o:error", OAI_NS)
    return errors[0].get("code") if errors else None


def identifiers(root):
    return [el.text for el in root.iterfind(".//o:header/o:identifier", OAI_NS)]


def token_of(root):
    return root.find(".//o:resumptionToken", OAI_NS)
