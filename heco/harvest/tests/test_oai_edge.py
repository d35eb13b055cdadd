"""OAI-PMH responses as real repositories send them: odd bytes, odd values, odd lists."""

import pytest

from heco.core.rights import COPYRIGHT_NOT_EVALUATED
from heco.harvest.models import HarvestRun, SourceRecord
from heco.harvest.normalise import prepare_asset, years_from_dating
from heco.harvest.services import source_add, source_harvest
from heco.harvest.sources.oai_pmh.parse import parse_list_records

pytestmark = pytest.mark.django_db

OAI_DC = (
    'xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
)
EDM_NS = (
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:edm="http://www.europeana.eu/schemas/edm/" '
    'xmlns:ore="http://www.openarchives.org/ore/terms/" '
    'xmlns:skos="http://www.w3.org/2004/02/skos/core#" '
    'xmlns:wgs84_pos="http://www.w3.org/2003/01/geo/wgs84_pos#"'
)


def dc_record(identifier: str, body: str) -> str:
    return (
        f"<record><header><identifier>{identifier}</identifier>"
        f"<datestamp>2024-09-01</datestamp></header>"
        f"<metadata><oai_dc:dc {OAI_DC}>{body}</oai_dc:dc></metadata></record>"
    )


def edm_record(identifier: str, body: str) -> str:
    return (
        f"<record><header><identifier>{identifier}</identifier>"
        f"<datestamp>2024-09-01</datestamp></header>"
        f"<metadata><rdf:RDF {EDM_NS}>{body}</rdf:RDF></metadata></record>"
    )


def page(*records: str, token: str = "", size: int | None = None, cursor: int = 0) -> bytes:
    size_attr = f' completeListSize="{size}" cursor="{cursor}"' if size is not None else ""
    resumption = (
        f"<resumptionToken{size_attr}>{token}</resumptionToken>" if size_attr or token else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2024-10-01T08:00:00Z</responseDate><request>https://x.example/oai</request>"
        f"<ListRecords>{''.join(records)}{resumption}</ListRecords></OAI-PMH>"
    ).encode()


def oai_error(code: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2024-10-01T08:00:00Z</responseDate><request>https://x.example/oai</request>"
        f'<error code="{code}">The value of the resumptionToken argument is invalid</error>'
        "</OAI-PMH>"
    ).encode()


def parsed_fields(record: str) -> dict:
    [parsed] = parse_list_records(page(record)).records
    assert not parsed.error, parsed.error
    return parsed.fields


def prepared(record: str):
    return prepare_asset(parsed_fields(record), default_lang="lt", default_kind="building")


def harvest(remote, provider, pages: dict, prefix="oai_dc"):
    remote.routes.update(pages)
    source = source_add(
        kind="oai-pmh", url=remote.url, organisation=provider, metadata_prefix=prefix
    )
    return source, source_harvest(source=source)


def stored(source, identifier):
    return SourceRecord.objects.get(source=source, identifier=identifier)


# --- pages that are not quite well-formed ---


def test_control_characters_in_a_record_do_not_stop_the_harvest(remote, provider):
    # DSpace and friends pass on control characters pasted from word processors; XML 1.0
    # forbids them, so a strict parser refuses the whole page, on every retry, for ever
    body = page(
        dc_record("oai:x:1", "<dc:title>Pilis\x0b su\x1f bokštu</dc:title>"),
        dc_record("oai:x:2", "<dc:title>Malūnas&#x0C; prie upės</dc:title>"),
    )
    source, run = harvest(remote, provider, {"ListRecords": body})
    assert run.status == HarvestRun.Status.COMPLETED
    assert run.created == 2
    assert stored(source, "oai:x:1").asset.title == {"lt": "Pilis su bokštu"}
    assert stored(source, "oai:x:2").asset.title == {"lt": "Malūnas prie upės"}


def test_a_malformed_record_is_reported_and_the_rest_of_the_page_goes_in(remote, provider):
    body = page(
        dc_record("oai:x:1", "<dc:title>Pilis</dc:title>"),
        dc_record("oai:x:2", "<dc:title>Tom & Jerry <b>house</dc:title>"),
        dc_record("oai:x:3", "<dc:title>Malūnas</dc:title>"),
        size=3,
    )
    source, run = harvest(remote, provider, {"ListRecords": body})
    assert run.status == HarvestRun.Status.COMPLETED
    assert (run.fetched, run.created, run.failed) == (3, 2, 1)
    [error] = run.errors
    assert error["identifier"] == "oai:x:2"
    assert error["reason"].startswith("malformed XML: ") and "line" not in error["reason"]
    assert remote.served["ListRecords"] == 1  # a record's fault: not worth a retry


def test_a_page_cut_off_inside_a_record_is_still_a_malformed_page():
    whole = page(dc_record("oai:x:1", "<dc:title>Pilis</dc:title>"), token="t2", size=9)
    from heco.harvest.sources.base import SourceUnavailable

    with pytest.raises(SourceUnavailable, match="malformed XML page"):
        parse_list_records(whole[: len(whole) // 2])


def test_text_after_a_comment_or_an_internal_entity_is_kept():
    fields = parsed_fields(
        dc_record("oai:x:1", "<dc:title>Caf<!-- typo fixed -->é Royal</dc:title>")
    )
    assert fields["title"] == {"": "Café Royal"}
    doctype = b'<!DOCTYPE OAI-PMH [<!ENTITY eacute "\xc3\xa9">]>'
    data = page(dc_record("oai:x:1", "<dc:title>Caf&eacute; Royal</dc:title>"))
    data = data.replace(b"\n", b"\n" + doctype + b"\n", 1)
    [record] = parse_list_records(data).records
    assert record.fields["title"] == {"": "Café Royal"}


def test_external_entities_are_not_read_and_entity_bombs_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    data = page(dc_record("oai:x:1", "<dc:title>Pilis &xxe;</dc:title>"))
    doctype = f'<!DOCTYPE OAI-PMH [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    [record] = parse_list_records(data.replace(b"\n", b"\n" + doctype + b"\n", 1)).records
    assert "SECRET" not in repr(record.fields) and "SECRET" not in record.raw
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefg", "bcdefgh", strict=True)
    )
    bomb = page(dc_record("oai:x:1", "<dc:title>&h;</dc:title>"))
    bomb = bomb.replace(b"\n", f"\n<!DOCTYPE OAI-PMH [{entities}]>\n".encode(), 1)
    [record] = parse_list_records(bomb).records  # refused, reported, never expanded
    assert record.identifier == "oai:x:1" and record.error.startswith("malformed XML")
    assert "amplification" in record.error and not record.fields


# --- rights ---


def test_edm_rights_wins_over_a_dc_rights_statement_of_the_holder(remote, provider):
    # in EDM dc:rights names the rights holder; edm:rights is the rights statement
    record = edm_record(
        "oai:x:1",
        '<edm:ProvidedCHO rdf:about="#cho"><dc:title>Casa Tartini</dc:title>'
        "<dc:rights>© Pomorski muzej Piran</dc:rights></edm:ProvidedCHO>"
        '<ore:Aggregation rdf:about="#agg"><edm:dataProvider>Pomorski muzej</edm:dataProvider>'
        '<edm:rights rdf:resource="http://creativecommons.org/publicdomain/zero/1.0/"/>'
        "</ore:Aggregation>",
    )
    source, run = harvest(remote, provider, {"ListRecords": page(record)}, prefix="edm")
    sr = stored(source, "oai:x:1")
    assert sr.harvested["extras"]["rights"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert not sr.needs_review


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("CC BY 4.0", "http://creativecommons.org/licenses/by/4.0/"),
        ("CC-BY-SA-4.0", "http://creativecommons.org/licenses/by-sa/4.0/"),
        ("CC BY-NC 4.0 International", "http://creativecommons.org/licenses/by-nc/4.0/"),
        ("CC BY-NC-ND 4.0", "http://creativecommons.org/licenses/by-nc-nd/4.0/"),
        ("CC0 1.0", "http://creativecommons.org/publicdomain/zero/1.0/"),
        ("CC0", "http://creativecommons.org/publicdomain/zero/1.0/"),
        (
            "https://rightsstatements.org/page/InC/1.0/",
            "http://rightsstatements.org/vocab/InC/1.0/",
        ),
        (
            "https://rightsstatements.org/page/NoC-NC/1.0/?language=en",
            "http://rightsstatements.org/vocab/NoC-NC/1.0/",
        ),
        (
            "https://creativecommons.org/licenses/by-sa/4.0/legalcode.lt",
            "http://creativecommons.org/licenses/by-sa/4.0/",
        ),
        (
            "HTTPS://CreativeCommons.org/licenses/by/4.0/",
            "http://creativecommons.org/licenses/by/4.0/",
        ),
        (
            "http://creativecommons.org/licenses/by/4.0/#",
            "http://creativecommons.org/licenses/by/4.0/",
        ),
    ],
)
def test_rights_as_providers_write_them_are_found_on_the_list(sent, expected):
    result = prepared(
        dc_record("oai:x:1", f"<dc:title>Pilis</dc:title><dc:rights>{sent}</dc:rights>")
    )
    assert result.extras["rights"] == expected
    assert not result.review and "rights_original" not in result.extras


def test_rights_off_the_list_stay_cne_with_the_original(remote, provider):
    result = prepared(
        dc_record("oai:x:1", "<dc:title>Pilis</dc:title><dc:rights>CC BY 3.0</dc:rights>")
    )
    assert result.extras["rights"] == COPYRIGHT_NOT_EVALUATED
    assert result.extras["rights_original"] == "CC BY 3.0"
    assert result.review == ["rights not on the list: CC BY 3.0"]


# --- places ---


@pytest.mark.parametrize(
    ("coverage", "point"),
    [
        ("55.9116 21.8447", (55.9116, 21.8447)),
        ("55.9116°, 21.8447°", (55.9116, 21.8447)),
        ("55.9116°N, 21.8447°E", (55.9116, 21.8447)),
        ("21.8447° E 55.9116° N", (55.9116, 21.8447)),
        ("33.86 S, 151.21 E", (-33.86, 151.21)),
        ("55°54′42″N 21°50′41″E", (55.911667, 21.844722)),
        ("55°54'42\"N, 21°50'41\"E", (55.911667, 21.844722)),
        ("+55.9116+021.8447/", (55.9116, 21.8447)),
        ("+55.9116-003.8447+010CRSWGS_84/", (55.9116, -3.8447)),
        ("name=Plungė; east=21.8447; north=55.9116", (55.9116, 21.8447)),
    ],
)
def test_coverage_points_as_registers_write_them(coverage, point):
    fields = parsed_fields(
        dc_record(
            "oai:x:1", f"<dc:title>Pilis</dc:title><dcterms:spatial>{coverage}</dcterms:spatial>"
        )
    )
    assert (round(fields["lat"], 6), round(fields["lon"], 6)) == point


def test_a_coverage_that_is_not_a_point_gives_no_coordinates():
    fields = parsed_fields(
        dc_record("oai:x:1", "<dc:title>Pilis</dc:title><dc:coverage>Plungė, 1850</dc:coverage>")
    )
    assert "lat" not in fields


def test_edm_takes_the_place_the_provider_names_not_an_enrichment(remote, provider):
    record = edm_record(
        "oai:x:1",
        '<edm:ProvidedCHO rdf:about="#cho"/>'
        '<ore:Proxy rdf:about="#provider"><dc:title>Casa Tartini</dc:title>'
        '<dcterms:spatial rdf:resource="http://example.si/place/piran"/>'
        "<edm:europeanaProxy>false</edm:europeanaProxy></ore:Proxy>"
        '<ore:Proxy rdf:about="#europeana"><edm:europeanaProxy>true</edm:europeanaProxy>'
        '<dcterms:spatial rdf:resource="http://data.europeana.eu/place/slovenia"/></ore:Proxy>'
        '<edm:Place rdf:about="http://data.europeana.eu/place/slovenia">'
        "<wgs84_pos:lat>46.0</wgs84_pos:lat><wgs84_pos:long>15.0</wgs84_pos:long>"
        '<skos:prefLabel xml:lang="en">Slovenia</skos:prefLabel></edm:Place>'
        '<edm:Place rdf:about="http://example.si/place/piran">'
        "<wgs84_pos:lat>45,5283</wgs84_pos:lat><wgs84_pos:long> 13,5683 </wgs84_pos:long>"
        '<skos:prefLabel xml:lang="sl">Piran</skos:prefLabel></edm:Place>',
    )
    source, run = harvest(remote, provider, {"ListRecords": page(record)}, prefix="edm")
    assert run.failed == 0, run.errors
    house = stored(source, "oai:x:1").asset
    assert (house.lat, house.lon, house.address) == (45.5283, 13.5683, "Piran")


def test_an_edm_place_with_coordinates_that_are_not_numbers_does_not_reject_the_record():
    record = edm_record(
        "oai:x:1",
        '<edm:ProvidedCHO rdf:about="#cho"><dc:title>Casa Tartini</dc:title></edm:ProvidedCHO>'
        '<edm:Place rdf:about="#p"><wgs84_pos:lat>unknown</wgs84_pos:lat>'
        "<wgs84_pos:long>13.5</wgs84_pos:long></edm:Place>",
    )
    fields = parsed_fields(record)
    assert fields["title"] == {"": "Casa Tartini"} and "lat" not in fields


# --- dates ---


@pytest.mark.parametrize(
    ("dating", "years"),
    [
        ("ca. 1850", (1850, 1850)),
        ("c. 1850", (1850, 1850)),
        ("circa 1850", (1850, 1850)),
        ("[1850]", (1850, 1850)),
        ("1850 m.", (1850, 1850)),
        ("1850-60", (1850, 1860)),
        ("1895–05", (1895, 1905)),
        ("1920s", (1920, 1929)),
        ("18th century", (1700, 1799)),
        ("1st century", (0, 99)),
        ("s. XVIII", (1700, 1799)),
        ("sec. XVII", (1600, 1699)),
        ("XVIII a.", (1700, 1799)),
        ("XVIII–XIX a.", (1700, 1899)),
        ("18. Jh.", (1700, 1799)),
        ("1850-12", (1850, 1850)),  # a month, as ISO 8601 has it
        ("12", (12, 12)),
    ],
)
def test_datings_as_registers_write_them_give_years(dating, years):
    assert years_from_dating(dating) == years


def test_a_circa_dating_from_a_harvest_is_kept_as_sent_with_its_years(remote, provider):
    body = page(dc_record("oai:x:1", "<dc:title>Pilis</dc:title><dc:date>ca. 1850</dc:date>"))
    source, _run = harvest(remote, provider, {"ListRecords": body})
    castle = stored(source, "oai:x:1").asset
    assert (castle.dating, castle.start_year, castle.end_year) == ("ca. 1850", 1850, 1850)


# --- lists ---


def test_a_token_that_expires_during_a_run_restarts_the_list_once(remote, provider):
    # a slow run outlives the repository's token (Omeka: 10 minutes)
    first = page(dc_record("oai:x:1", "<dc:title>Pilis</dc:title>"), token="t2", size=2)
    second = page(dc_record("oai:x:2", "<dc:title>Malūnas</dc:title>"), size=2, cursor=1)
    pages = {"ListRecords": first, "t2": [oai_error("badResumptionToken"), second]}
    source, run = harvest(remote, provider, pages)
    assert run.status == HarvestRun.Status.COMPLETED, run.errors
    assert remote.served["ListRecords"] == 2
    assert run.created == 2 and SourceRecord.objects.filter(source=source).count() == 2


def test_a_token_refused_again_after_the_restart_fails_the_run(remote, provider):
    first = page(dc_record("oai:x:1", "<dc:title>Pilis</dc:title>"), token="t2", size=2)
    pages = {"ListRecords": first, "t2": oai_error("badResumptionToken")}
    _source, run = harvest(remote, provider, pages)
    assert run.status == HarvestRun.Status.FAILED
    assert remote.served["ListRecords"] == 2
    assert run.errors[-1]["reason"].startswith("badResumptionToken")


def test_a_complete_list_size_with_spaces_is_still_compared():
    whole = page(dc_record("oai:x:1", "<dc:title>Pilis</dc:title>"), size=5)
    result = parse_list_records(whole.replace(b'completeListSize="5"', b'completeListSize=" 5 "'))
    assert result.complete_list_size == 5


# --- EDM contextual entities and languages ---


def test_edm_values_given_as_resources_take_the_labels_of_their_entities(remote, provider):
    record = edm_record(
        "oai:x:1",
        '<edm:ProvidedCHO rdf:about="#cho"><dc:title xml:lang="it">Chiesa</dc:title>'
        '<dc:subject rdf:resource="http://vocab.getty.edu/aat/300007466"/>'
        '<dc:subject rdf:resource="http://vocab.example/unlabelled"/>'
        '<dc:subject xml:lang="en">baroque</dc:subject>'
        '<dcterms:created rdf:resource="http://semium.org/time/17xx"/>'
        '<dc:creator rdf:resource="http://vocab.getty.edu/ulan/500115588"/></edm:ProvidedCHO>'
        '<skos:Concept rdf:about="http://vocab.getty.edu/aat/300007466">'
        '<skos:prefLabel xml:lang="en">churches (buildings)</skos:prefLabel></skos:Concept>'
        '<edm:TimeSpan rdf:about="http://semium.org/time/17xx">'
        '<skos:prefLabel xml:lang="en">18th century</skos:prefLabel></edm:TimeSpan>'
        '<edm:Agent rdf:about="http://vocab.getty.edu/ulan/500115588">'
        '<skos:prefLabel xml:lang="en">Giorgio Massari</skos:prefLabel></edm:Agent>',
    )
    source, run = harvest(remote, provider, {"ListRecords": page(record)}, prefix="edm")
    sr = stored(source, "oai:x:1")
    church = sr.asset
    assert church.tags == ["churches (buildings)", "baroque"]  # an unlabelled URI is no tag
    assert (church.dating, church.start_year, church.end_year) == ("18th century", 1700, 1799)
    assert sr.harvested["extras"]["creator"] == ["Giorgio Massari"]


def test_xml_lang_on_the_metadata_element_applies_to_its_children():
    record = dc_record(
        "oai:x:1", '<dc:title>Castle</dc:title><dc:title xml:lang="">Pilis</dc:title>'
    )
    record = record.replace("<oai_dc:dc ", '<oai_dc:dc xml:lang="en" ')
    assert parsed_fields(record)["title"] == {"en": "Castle", "": "Pilis"}


@pytest.mark.parametrize("tag", ["und", "zxx", "mul"])
def test_undetermined_languages_take_the_default_like_untagged_text(tag):
    result = prepared(dc_record("oai:x:1", f'<dc:title xml:lang="{tag}">Pilis</dc:title>'))
    assert result.values["title"] == {"lt": "Pilis"}


def test_a_list_that_sends_the_same_token_again_is_not_followed_round_and_round(remote, provider):
    first = page(dc_record("oai:x:1", "<dc:title>Pilis</dc:title>"), token="t2")
    looping = page(dc_record("oai:x:2", "<dc:title>Malūnas</dc:title>"), token="t2")
    last = page(dc_record("oai:x:3", "<dc:title>Bažnyčia</dc:title>"))
    pages = {"ListRecords": first, "t2": [looping, looping, looping, last]}
    source, run = harvest(remote, provider, pages)
    assert run.status == HarvestRun.Status.PARTIAL
    assert remote.served["t2"] == 1
    assert "t2" in run.errors[-1]["reason"] and "again" in run.errors[-1]["reason"]
    assert run.created == 2  # the pages before it are in
    source.refresh_from_db()
    assert source.last_success_at is None


def test_no_records_match_in_the_middle_of_a_list_is_no_complete_list(remote, provider):
    first = page(dc_record("oai:x:1", "<dc:title>Pilis</dc:title>"), token="t2", size=3)
    pages = {"ListRecords": first, "t2": oai_error("noRecordsMatch")}
    source, run = harvest(remote, provider, pages)
    assert run.status == HarvestRun.Status.PARTIAL
    assert "completeListSize" in run.errors[-1]["reason"]
    source.refresh_from_db()
    assert source.last_success_at is None


def test_edm_providers_named_by_organisation_entities_and_literal_links(remote, provider):
    # Europeana names providers by organisation URIs described in the record; some
    # providers write the links as text
    from heco.harvest.provenance import provenance_for

    record = edm_record(
        "oai:x:1",
        '<edm:ProvidedCHO rdf:about="#cho"><dc:title>Casa Tartini</dc:title></edm:ProvidedCHO>'
        '<ore:Aggregation rdf:about="#agg">'
        '<edm:dataProvider rdf:resource="http://data.europeana.eu/organization/1"/>'
        '<edm:provider rdf:resource="http://data.europeana.eu/organization/2"/>'
        "<edm:isShownAt> https://museum.example.si/item/1 </edm:isShownAt>"
        "<edm:isShownBy>https://museum.example.si/media/1.jpg</edm:isShownBy>"
        '<edm:rights rdf:resource="http://creativecommons.org/licenses/by/4.0/"/>'
        "</ore:Aggregation>"
        '<foaf:Organization xmlns:foaf="http://xmlns.com/foaf/0.1/" '
        'rdf:about="http://data.europeana.eu/organization/1">'
        '<skos:prefLabel xml:lang="en">Pomorski muzej Piran</skos:prefLabel></foaf:Organization>'
        '<foaf:Organization xmlns:foaf="http://xmlns.com/foaf/0.1/" '
        'rdf:about="http://data.europeana.eu/organization/2">'
        '<skos:prefLabel xml:lang="en">Slovenian aggregator</skos:prefLabel></foaf:Organization>',
    )
    source, _run = harvest(remote, provider, {"ListRecords": page(record)}, prefix="edm")
    [prov] = provenance_for(stored(source, "oai:x:1").asset)
    assert (prov.provider, prov.aggregator) == ("Pomorski muzej Piran", "Slovenian aggregator")
    assert prov.link == "https://museum.example.si/item/1"
    links = stored(source, "oai:x:1").harvested["extras"]["links"]
    assert links["isShownBy"] == "https://museum.example.si/media/1.jpg"


def test_the_rights_statement_among_several_dc_rights_is_the_one_taken():
    result = prepared(
        dc_record(
            "oai:x:1",
            "<dc:title>Pilis</dc:title><dc:rights>© Plungės muziejus</dc:rights>"
            "<dc:rights>CC BY-SA 4.0</dc:rights>",
        )
    )
    assert result.extras["rights"] == "http://creativecommons.org/licenses/by-sa/4.0/"
    assert not result.review
