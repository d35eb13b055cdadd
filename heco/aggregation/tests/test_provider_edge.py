"""Malformed and unusual requests to the provider side: each gets a schema-valid OAI-PMH
answer (or the right data type), never a 500 or an invalid document."""

import pytest
from lxml import etree

from heco.aggregation.oai.verbs import oai_identifier
from heco.core.models import Status
from heco.testing.factories import AssetFactory

from .conftest import OAI_NS, error_code, identifiers


@pytest.fixture
def assets(db):
    published = AssetFactory()
    deleted = AssetFactory(status=Status.DELETED, published_at="2024-01-01T00:00:00Z")
    return [published, deleted]


@pytest.fixture
def valid_oai(client, oai_edm_schema):
    """A raw request to /oai (any body): assert a schema-valid OAI-PMH answer, return its root."""

    def call(method="get", *args, **kwargs):
        response = getattr(client, method)("/oai", *args, **kwargs)
        assert response.status_code == 200, response.content[:300]
        root = etree.fromstring(response.content)
        oai_edm_schema.assertValid(root)
        return root

    return call


@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59Z"])
def test_until_the_last_representable_instant_lists_everything(assets, oai, until):
    root = oai(verb="ListIdentifiers", metadataPrefix="edm", until=until)
    assert sorted(identifiers(root)) == sorted(oai_identifier(a) for a in assets)


@pytest.mark.parametrize(
    "params",
    [
        # digits other than 0-9 (Arabic-Indic) are not a datestamp
        {"from": "\u0662\u0660\u0662\u0664-01-01T00:00:00Z"},
        {"until": "\u0662\u0660\u0662\u0664-01-01"},
        # PostgreSQL cannot compare text holding a NUL; not a setSpec anyway
        {"set": "org:a\x00b"},
        {"set": "community:a\x00b"},
        {"set": "kind:\x00"},
        {"set": "org:nope\n"},
    ],
)
def test_illegal_dates_and_set_specs_are_bad_arguments(assets, oai, params):
    root = oai(verb="ListRecords", metadataPrefix="edm", **params)
    assert error_code(root) == "badArgument"


@pytest.mark.parametrize(
    "params, code",
    [
        ({"verb": "ListRecords", "metadataPrefix": "edm\n"}, "cannotDisseminateFormat"),
        ({"verb": "ListRecords", "metadataPrefix": "xx", "from": "bad"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "edm", "identifier": "%zz"}, "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "http://[::1"}, "idDoesNotExist"),
    ],
)
def test_request_element_echoes_only_what_the_schema_allows(assets, oai, params, code):
    root = oai(**params)  # validates the response: the request element included
    assert error_code(root) == code
    assert root.find("o:request", OAI_NS).get("verb") == params["verb"]


def test_a_known_identifier_is_echoed(assets, oai):
    identifier = oai_identifier(assets[0])
    root = oai(verb="GetRecord", metadataPrefix="marc", identifier=identifier)
    assert error_code(root) == "cannotDisseminateFormat"
    assert root.find("o:request", OAI_NS).get("identifier") == identifier


def test_form_post_with_a_declared_latin1_charset_is_read(assets, valid_oai):
    root = valid_oai(
        "post",
        "verb=ListIdentifiers&metadataPrefix=edm",
        content_type="application/x-www-form-urlencoded; charset=ISO-8859-1",
    )
    assert error_code(root) is None
    assert len(identifiers(root)) == 2


def test_unreadable_arguments_are_a_bad_argument(assets, valid_oai):
    too_many = "verb=Identify&" + "&".join(f"x{i}=1" for i in range(1100))
    assert error_code(valid_oai("get", QUERY_STRING=too_many)) == "badArgument"
    post = valid_oai("post", too_many, content_type="application/x-www-form-urlencoded")
    assert error_code(post) == "badArgument"
    no_boundary = valid_oai("post", "verb=Identify", content_type="multipart/form-data")
    assert error_code(no_boundary) == "badArgument"


@pytest.mark.parametrize(
    "accept, expected",
    [
        ('application/ld+json;profile="https://schema.org"', "application/ld+json"),
        ("text/turtle;charset=utf-8", "text/turtle"),
        ("*/*;q=0.5, text/html;q=0", "application/ld+json"),
        ("text/html;q=0, application/rdf+xml;q=0.2, text/turtle;q=0.1", "application/rdf+xml"),
        ("application/ld+json, text/html", "application/ld+json"),
        ("*/*, text/turtle", "text/turtle"),
    ],
)
def test_accept_parameters_and_excluded_html(assets, client, accept, expected):
    response = client.get(f"/assets/{assets[0].pk}", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(expected)
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize(
    "spelling",
    [str.upper, lambda pk: pk.replace("-", ""), lambda pk: f"{{{pk}}}", "urn:uuid:{}".format],
)
def test_only_the_canonical_identifier_names_a_record(assets, oai, spelling):
    pk = str(assets[0].pk)
    identifier = oai_identifier(assets[0]).replace(pk, spelling(pk))
    root = oai(verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
    assert error_code(root) == "idDoesNotExist"


def test_image_size_takes_ascii_digits_only(db, client):
    from .test_iiif_image import image_with_renditions

    media = image_with_renditions()
    size = client.get(f"/iiif/image/{media.pk}/info.json").json()["sizes"][0]
    w, h = size["width"], size["height"]
    base = f"/iiif/image/{media.pk}/full"
    assert client.get(f"{base}/{w},{h}/0/default.webp").status_code == 200
    arabic_w = str(w).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert client.get(f"{base}/{arabic_w},{h}/0/default.webp").status_code == 400
    assert client.get(f"{base}/{w},{h}%0A/0/default.webp").status_code == 400


def test_language_map_keys_that_skipped_validation_still_give_valid_data(db, oai, client):
    asset = AssetFactory()
    # written past the model's validation, as a script or an old import might
    type(asset).objects.filter(pk=asset.pk).update(
        title={"en_GB": "Manor house", "not a tag!": "Dropped", "lt": "Dvaras"}
    )

    root = oai(verb="GetRecord", metadataPrefix="edm", identifier=oai_identifier(asset))

    XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
    titles = {
        el.get(XML_LANG): el.text for el in root.iter("{http://purl.org/dc/elements/1.1/}title")
    }
    assert titles == {"en-GB": "Manor house", "lt": "Dvaras"}
    turtle = client.get(f"/assets/{asset.pk}", HTTP_ACCEPT="text/turtle")
    assert turtle.status_code == 200
    assert '"manor house"@en-gb' in turtle.content.decode().lower()
    assert "Dropped" not in turtle.content.decode()
