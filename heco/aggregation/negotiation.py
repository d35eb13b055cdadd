"""Linked-data representations of an asset, and content negotiation between them.

``negotiate(request, asset)`` is for the public asset page: it returns an HttpResponse when
the client prefers JSON-LD, RDF/XML or Turtle over HTML, else None (render the page as
usual, and add ``Vary: Accept`` to it).
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.http.request import MediaType
from django.utils.cache import patch_vary_headers

from .crosswalks import edm, schemaorg
from .crosswalks.common import CrosswalkContext

JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
TURTLE = "text/turtle"
HTML = "text/html"
DATA_TYPES = {JSONLD: "jsonld", RDFXML: "rdf", TURTLE: "ttl"}
EXTENSIONS = {ext: mime for mime, ext in DATA_TYPES.items()}


def render_jsonld(asset, ctx=None) -> bytes:
    text = json.dumps(schemaorg.build_jsonld(asset, ctx), ensure_ascii=False, indent=2)
    return text.encode("utf-8", "replace")  # a lone surrogate (tags) becomes "?", not a 500


def render_rdfxml(asset, ctx=None) -> bytes:
    return edm.to_bytes(asset, ctx)


def render_turtle(asset, ctx=None) -> bytes:
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=render_rdfxml(asset, ctx), format="xml")
    for prefix, uri in edm.EDM_NSMAP.items():
        graph.bind(prefix, uri)
    return graph.serialize(format="turtle").encode()


RENDERERS = {JSONLD: render_jsonld, RDFXML: render_rdfxml, TURTLE: render_turtle}


def data_response(asset, media_type: str) -> HttpResponse:
    body = RENDERERS[media_type](asset, CrosswalkContext())
    response = HttpResponse(body, content_type=f"{media_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def rank(accepted: list[MediaType], media_type: str) -> tuple[float, int, int]:
    """How the Accept ranges rank ``media_type``: (q, specificity, -position in the header) of
    the most specific range that matches it (RFC 9110 12.5.1), q 0 if none does. Parameters
    other than q are ignored, so ``application/ld+json;profile=...`` asks for JSON-LD
    (Django's matching would refuse it), and ``text/html;q=0`` excludes HTML even beside
    ``*/*``. Equal q: the type named more specifically, then earlier, wins (as Django does)."""
    main, _, sub = media_type.partition("/")
    matches = [
        ((accept.main_type != "*") + (accept.sub_type != "*"), accept.quality, -position)
        for position, accept in enumerate(accepted)
        if accept.main_type in (main, "*") and accept.sub_type in (sub, "*")
    ]
    if not matches:
        return (0.0, 0, 0)
    specificity, q, position = max(matches)  # a repeated range: its highest q
    return (q, specificity, position)


def preferred_data_type(request) -> str | None:
    """The data media type the client prefers to HTML, if any (q-values respected; on a
    complete tie HTML wins, then the order JSON-LD, RDF/XML, Turtle)."""
    header = request.headers.get("Accept")
    if header is None:
        return None
    accepted = [MediaType(token) for token in header.split(",") if token.strip()]
    ranks = {t: rank(accepted, t) for t in (HTML, JSONLD, RDFXML, TURTLE)}
    preferred = max(ranks, key=ranks.get)
    return preferred if preferred in RENDERERS and ranks[preferred][0] > 0 else None


def negotiate(request, asset) -> HttpResponse | None:
    media_type = preferred_data_type(request)
    if media_type is None:
        return None
    response = data_response(asset, media_type)
    patch_vary_headers(response, ["Accept"])
    return response
