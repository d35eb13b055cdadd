"""Linked-data representations of an asset, and content negotiation between them.

``negotiate(request, asset)`` is for the public asset page: it returns an HttpResponse when
the client prefers JSON-LD, RDF/XML or Turtle over HTML, else None (render the page as
usual, and add ``Vary: Accept`` to it).
"""

from __future__ import annotations

import json

from django.http import HttpResponse
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
    return json.dumps(schemaorg.build_jsonld(asset, ctx), ensure_ascii=False, indent=2).encode()


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


def preferred_data_type(request) -> str | None:
    """The data media type the client prefers to HTML, if any (q-values respected)."""
    if "HTTP_ACCEPT" not in request.META:
        return None
    preferred = request.get_preferred_type([HTML, JSONLD, RDFXML, TURTLE])
    return preferred if preferred in RENDERERS else None


def negotiate(request, asset) -> HttpResponse | None:
    media_type = preferred_data_type(request)
    if media_type is None:
        return None
    response = data_response(asset, media_type)
    patch_vary_headers(response, ["Accept"])
    return response
