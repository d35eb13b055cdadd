"""Length counters against hand-checked examples."""

import pytest

from heco.comms import counting

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # 👩‍👩‍👧: five code points, one grapheme
E_ACUTE = "e\u0301"  # e + combining acute: two code points, one grapheme
LITHUANIAN = "ąčęėįšųūž"
LONG_URL = "https://heritage.example.org/lt/assets/plunges-dvaro-parkas-ir-oginskiu-rumai/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Labas", 5),
        (FAMILY, 1),
        (E_ACUTE, 1),
        (LITHUANIAN, 9),
        ("🇱🇹", 1),  # a flag is two regional indicators
        (LONG_URL, 23),  # any URL counts 23 …
        ("https://a.lt", 23),  # … even a short one
        (f"Žiūrėkite {LONG_URL} !", 9 + 1 + 23 + 2),  # Ž-i-ū-r-ė-k-i-t-e: 9
        ("@muziejus@mastodon.social labas", len("@muziejus labas")),  # domain not counted
        ("email me: info@example.org", 26),  # an e-mail address is not a mention
    ],
)
def test_mastodon_counts_graphemes_urls_as_23_and_mentions_without_domain(text, expected):
    assert counting.mastodon_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FAMILY, 1),
        (E_ACUTE * 3, 3),
        (LITHUANIAN, 9),
        (LONG_URL, len(LONG_URL)),  # Bluesky counts URLs in full
        ("👍🏽 ok", 4),  # skin tone modifier joins its emoji
    ],
)
def test_bluesky_counts_graphemes(text, expected):
    assert counting.bluesky_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LITHUANIAN, 9),  # Latin Extended: weight 1 each
        ("日本語", 6),  # CJK: weight 2 each
        (FAMILY, 2),  # an emoji sequence weighs 2
        (E_ACUTE, 1),  # NFC: é
        (f"Hi {LONG_URL}", 3 + 23),
        ("“quoted” — dash", 15),  # general punctuation weighs 1
    ],
)
def test_x_counts_weighted_length(text, expected):
    assert counting.x_length(text) == expected


def test_bluesky_facets_use_utf8_byte_offsets():
    text = "Ąžuolas #Žemaitija https://a.lt/x"
    facets = counting.bluesky_facets(text)
    # "Ąžuolas " is 10 bytes (Ą and ž take two each); "#Žemaitija" 11 bytes; URL 14 bytes
    assert [f["index"] for f in facets] == [
        {"byteStart": 10, "byteEnd": 21},
        {"byteStart": 22, "byteEnd": 36},
    ]
    assert facets[0]["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "Žemaitija"}]
    assert facets[1]["features"] == [
        {"$type": "app.bsky.richtext.facet#link", "uri": "https://a.lt/x"}
    ]
    raw = text.encode()
    assert raw[10:21].decode() == "#Žemaitija" and raw[22:36].decode() == "https://a.lt/x"


def test_facets_after_an_emoji_sequence_account_for_its_bytes():
    text = f"{FAMILY} #heritage"
    [facet] = counting.bluesky_facets(text)
    assert facet["index"]["byteStart"] == len(FAMILY.encode()) + 1 == 19


def test_a_url_fragment_is_not_a_tag_and_final_punctuation_is_not_part_of_a_url():
    facets = counting.bluesky_facets("See https://a.lt/page#top. Thanks #1 fan")
    assert [f["features"][0]["$type"].split("#")[1] for f in facets] == ["link"]
    assert facets[0]["features"][0]["uri"] == "https://a.lt/page#top"
