"""Length counters, each the way its network counts, and Bluesky facets.

- Mastodon: grapheme clusters (the server counts ``each_grapheme_cluster``); every http(s)
  URL counts as 23 whatever its length; a mention ``@user@domain`` counts only ``@user``.
- Bluesky: grapheme clusters (300) *and* UTF-8 bytes (3,000): the lexicon of
  ``app.bsky.feed.post`` gives ``text`` both ``maxGraphemes`` and ``maxLength``, and a
  lexicon ``maxLength`` counts UTF-8 bytes (a family emoji is one grapheme, 18 bytes); facets
  index the text by UTF-8 *byte* offsets.

Graphemes are counted with the ``grapheme`` package (extended grapheme clusters, UAX #29 as of
Unicode 13). Later Unicode versions only join more code points into one cluster (e.g. the
Indic conjunct rule of 15.1), so where it differs from the networks' newer segmenters it counts
*more*, never fewer: a post we pass is never refused for length.
- X: weighted length (280). Simplification of twitter-text v3: counted per grapheme cluster,
  a cluster whose first code point is in the light ranges (U+0000–U+10FF, U+2000–U+200D,
  U+2010–U+201F, U+2032–U+2037: Latin, Greek, Cyrillic, … and general punctuation) weighs 1,
  any other (CJK, emoji, …) weighs 2; URLs weigh 23; text is NFC-normalised first.
- Instagram / Facebook: code points (what their text boxes count).
"""

from __future__ import annotations

import re
import unicodedata

import grapheme

URL_LENGTH = 23  # t.co / Mastodon's fixed URL weight
# http(s) URLs; trailing punctuation that usually ends a sentence is not part of the URL
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]")
MENTION_RE = re.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w", re.UNICODE)
# a hashtag: # followed by letters/digits/underscore, not preceded by a word character
HASHTAG_RE = re.compile(r"(?<![\w#&])#(\w*[^\W\d_]\w*)", re.UNICODE)

X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def graphemes(text: str) -> int:
    return grapheme.length(text)


def mastodon_length(text: str) -> int:
    placeholder = "x" * URL_LENGTH
    countable = URL_RE.sub(placeholder, text)
    countable = MENTION_RE.sub(lambda m: "@" + m.group(1), countable)
    return grapheme.length(countable)


def bluesky_length(text: str) -> int:
    return grapheme.length(text)


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _x_weight(cluster: str) -> int:
    code = ord(cluster[0])
    return 1 if any(lo <= code <= hi for lo, hi in X_LIGHT_RANGES) else 2


def x_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for match in URL_RE.finditer(text):
        total += sum(_x_weight(c) for c in grapheme.graphemes(text[pos : match.start()]))
        total += URL_LENGTH
        pos = match.end()
    total += sum(_x_weight(c) for c in grapheme.graphemes(text[pos:]))
    return total


def codepoints(text: str) -> int:
    return len(text)


def byte_offset(text: str, char_index: int) -> int:
    return len(text[:char_index].encode("utf-8"))


def bluesky_facets(text: str) -> list[dict]:
    """``app.bsky.richtext.facet`` records for the links and #tags in ``text``, indexed by
    UTF-8 byte offsets (byteStart inclusive, byteEnd exclusive), sorted by position."""
    facets = []
    for match in URL_RE.finditer(text):
        facets.append(
            {
                "index": {
                    "byteStart": byte_offset(text, match.start()),
                    "byteEnd": byte_offset(text, match.end()),
                },
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group(0)}],
            }
        )
    url_spans = [m.span() for m in URL_RE.finditer(text)]
    for match in HASHTAG_RE.finditer(text):
        if any(start <= match.start() < end for start, end in url_spans):
            continue  # a #fragment inside a URL
        facets.append(
            {
                "index": {
                    "byteStart": byte_offset(text, match.start()),
                    "byteEnd": byte_offset(text, match.end()),
                },
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": match.group(1)}],
            }
        )
    return sorted(facets, key=lambda f: f["index"]["byteStart"])


def hashtags_in(text: str) -> list[str]:
    return [m.group(1) for m in HASHTAG_RE.finditer(text)]
