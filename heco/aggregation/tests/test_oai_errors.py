"""Every OAI-PMH error condition, each answered with a schema-valid error response."""

import pytest

from heco.aggregation.oai import verbs
from heco.aggregation.oai.verbs import oai_identifier
from heco.core.models import Status
from heco.testing.factories import AssetFactory

from .conftest import OAI_NS, error_code


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"verb": "Frobnicate"},
        {"verb": ["Identify", "Identify"]},
        {"verb": ["Identify", "ListSets"]},
    ],
)
def test_bad_verb(db, oai, params):
    root = oai(**params)
    assert error_code(root) == "badVerb"
    assert root.find("o:request", OAI_NS).attrib == {}  # base URL only, as the spec asks


@pytest.mark.parametrize(
    "params",
    [
        {"verb": "Identify", "set": "org"},
        {"verb": "ListRecords"},  # metadataPrefix missing
        {"verb": "ListRecords", "metadataPrefix": ["edm", "oai_dc"]},
        {"verb": "ListRecords", "metadataPrefix": "edm", "from": "2024-13-45"},
        {"verb": "ListRecords", "metadataPrefix": "edm", "from": "2024-01-01T10:00Z"},
        {"verb": "ListRecords", "metadataPrefix": "edm", "from": "2024-01-01T10:00:00.5Z"},
        {"verb": "ListRecords", "metadataPrefix": "edm", "until": "yesterday"},
        {
            "verb": "ListRecords",
            "metadataPrefix": "edm",
            "from": "2024-01-01",
            "until": "2024-02-01T00:00:00Z",
        },
        {
            "verb": "ListRecords",
            "metadataPrefix": "edm",
            "from": "2024-02-01",
            "until": "2024-01-01",
        },
        {"verb": "ListRecords", "metadataPrefix": "edm", "set": "colour:red"},
        {"verb": "ListIdentifiers", "metadataPrefix": "edm", "resumptionToken": "x"},
        {"verb": "GetRecord", "metadataPrefix": "edm"},
        {"verb": "GetRecord", "identifier": "oai:x:asset/1"},
        {"verb": "ListSets", "metadataPrefix": "edm"},
        {"verb": "ListMetadataFormats", "bogus": "1"},
    ],
)
def test_bad_argument(db, oai, params):
    root = oai(**params)
    assert error_code(root) == "badArgument"
    assert root.find("o:request", OAI_NS).attrib == {}


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers", "ListSets"])
@pytest.mark.parametrize("token", ["garbage", "eyJ2IjoxfQ:1abc:forged"])
def test_bad_resumption_token(db, oai, verb, token):
    AssetFactory()
    root = oai(verb=verb, resumptionToken=token)
    assert error_code(root) == "badResumptionToken"
    assert root.find("o:request", OAI_NS).get("resumptionToken") == token


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers", "GetRecord"])
def test_cannot_disseminate_format(db, oai, verb):
    asset = AssetFactory()
    params = {"verb": verb, "metadataPrefix": "marc21"}
    if verb == "GetRecord":
        params["identifier"] = oai_identifier(asset)
    root = oai(**params)
    assert error_code(root) == "cannotDisseminateFormat"
    assert root.find("o:request", OAI_NS).get("metadataPrefix") == "marc21"


@pytest.mark.parametrize(
    "identifier",
    [
        "oai:127.0.0.1:asset/00000000-0000-0000-0000-000000000000",
        "oai:elsewhere.example:asset/{pk}",
        "oai:127.0.0.1:asset/not-a-uuid",
        "oai:127.0.0.1:asset/{draft}",
    ],
)
@pytest.mark.parametrize("verb", ["GetRecord", "ListMetadataFormats"])
def test_id_does_not_exist(db, oai, identifier, verb):
    asset = AssetFactory()
    draft = AssetFactory(status=Status.DRAFT, published_at=None)
    params = {"verb": verb, "identifier": identifier.format(pk=asset.pk, draft=draft.pk)}
    if verb == "GetRecord":
        params["metadataPrefix"] = "edm"
    assert error_code(oai(**params)) == "idDoesNotExist"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"set": "org:nobody"},
        {"set": "country:FR"},
        {"from": "2999-01-01"},
        {"until": "1999-01-01T00:00:00Z"},
    ],
)
def test_no_records_match(db, oai, params):
    AssetFactory(status=Status.DRAFT)
    if params:
        AssetFactory()
    for verb in ("ListRecords", "ListIdentifiers"):
        assert error_code(oai(verb=verb, metadataPrefix="oai_dc", **params)) == "noRecordsMatch"


def test_no_metadata_formats_error_is_well_formed(db, oai, monkeypatch):
    """Never raised in practice (every record has both formats); the path still validates."""
    asset = AssetFactory()
    monkeypatch.setattr(verbs, "FORMATS", {})
    root = oai(verb="ListMetadataFormats", identifier=oai_identifier(asset))
    assert error_code(root) == "noMetadataFormats"


def test_no_set_hierarchy_is_never_raised_because_we_have_sets(db, oai, monkeypatch):
    AssetFactory()
    assert error_code(oai(verb="ListSets")) is None
    assert error_code(oai(verb="ListRecords", metadataPrefix="edm", set="kind")) is None

    def refuse(*args, **kwargs):
        raise verbs.OAIError("noSetHierarchy", "This repository does not support sets.")

    monkeypatch.setattr(verbs.sets, "list_sets", refuse)
    assert error_code(oai(verb="ListSets")) == "noSetHierarchy"


def test_control_characters_in_arguments_do_not_break_the_response(db, oai):
    root = oai(verb="GetRecord", metadataPrefix="edm", identifier="oai:\x01bad")
    assert error_code(root) == "idDoesNotExist"
