"""``lang``: language maps stay whole; resolved texts are added with the fallback order."""

from heco.api.tests.conftest import error_fields


def test_without_lang_language_maps_come_back_whole_and_alone(api, catalogue):
    item = api.get(f"/assets/{catalogue['manor'].id}")
    assert item["title"] == {"lt": "Plungės dvaras", "en": "Plungė Manor"}
    assert not any(key.endswith(("_text", "_lang")) for key in item)


def test_requested_language_is_used_when_present(api, catalogue):
    item = api.get(f"/assets/{catalogue['manor'].id}", {"lang": "lt"})
    assert item["title"] == {"lt": "Plungės dvaras", "en": "Plungė Manor"}
    assert (item["title_text"], item["title_lang"]) == ("Plungės dvaras", "lt")
    assert item["url"].endswith("/lt/assets/plunge-manor/")


def test_missing_language_falls_back_to_the_community_language_before_english(api, catalogue):
    # Plungė's default language is lt: a Dutch request for the manor gets lt, not en
    item = api.get(f"/assets/{catalogue['manor'].id}", {"lang": "nl"})
    assert (item["title_text"], item["title_lang"]) == ("Plungės dvaras", "lt")


def test_missing_english_falls_back_to_the_community_default_language(api, catalogue):
    # Piran's default language is sl: an English request for the walls gets Slovenian
    item = api.get(f"/assets/{catalogue['tower'].id}", {"lang": "en"})
    assert (item["title_text"], item["title_lang"]) == ("Mestno obzidje", "sl")
    item = api.get(f"/assets/{catalogue['tower'].id}", {"lang": "it"})
    assert (item["title_text"], item["title_lang"]) == ("Mura di Pirano", "it")


def test_english_is_the_fallback_after_the_default_language(api, places):
    from heco.testing.factories import AssetFactory

    asset = AssetFactory(
        organisation=places["museum"], title={"en": "Salt pans", "it": "Saline"}
    )  # community default sl is missing
    item = api.get(f"/assets/{asset.id}", {"lang": "mt"})
    assert (item["title_text"], item["title_lang"]) == ("Salt pans", "en")


def test_an_empty_language_map_resolves_to_empty_text_and_null_language(api, catalogue):
    item = api.get(f"/assets/{catalogue['manor'].id}", {"lang": "lt"})
    assert item["designation"] == {}
    assert (item["designation_text"], item["designation_lang"]) == ("", None)


def test_lang_resolves_linked_record_names_too(api, catalogue):
    item = api.get("/assets", {"lang": "lt", "community": "plunge", "kind": "building"})["items"][0]
    assert item["community"]["name_text"] == "Plungė"
    assert item["community"]["name_lang"] == "lt"


def test_lang_works_on_every_list(api, programme):
    for endpoint, field in [
        ("organisations", "name"),
        ("communities", "name"),
        ("networks", "name"),
        ("services", "name"),
        ("events", "title"),
        ("assets", "title"),
    ]:
        item = api.get(f"/{endpoint}", {"lang": "sl"})["items"][0]
        assert f"{field}_text" in item and f"{field}_lang" in item, endpoint
        assert "/sl/" in item["url"]


def test_unknown_language_is_a_422_naming_lang(api, catalogue):
    body = api.get(f"/assets/{catalogue['manor'].id}", {"lang": "xx"}, status=422)
    assert error_fields(body) == {"lang"}
