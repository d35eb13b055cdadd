"""Europeana's content rules that XSD validation cannot express (see shared/schemas/README.md).

``europeana_problems(rdf)`` returns a list of human-readable problems for one ``rdf:RDF``
record; an empty list means the record meets the rules. Used by our tests and usable by the
harvester to check incoming EDM.
"""

from __future__ import annotations

from heco.core.rights import RIGHTS_URIS

from .namespaces import DC, DCTERMS, EDM, ORE, RDF, q

RESOURCE = q(RDF, "resource")
ABOUT = q(RDF, "about")
EDM_TYPES = {"TEXT", "IMAGE", "SOUND", "VIDEO", "3D"}


def _text_or_resource(elements) -> bool:
    return any((el.text or "").strip() or el.get(RESOURCE) for el in elements)


def europeana_problems(rdf) -> list[str]:
    problems = []
    chos = rdf.findall(q(EDM, "ProvidedCHO"))
    if len(chos) != 1:
        problems.append(f"expected exactly one edm:ProvidedCHO, found {len(chos)}")
    for cho in chos:
        if not _text_or_resource(cho.findall(q(DC, "title")) + cho.findall(q(DC, "description"))):
            problems.append("edm:ProvidedCHO needs a non-empty dc:title or dc:description")
        classifying = [
            *cho.findall(q(DC, "subject")),
            *cho.findall(q(DC, "type")),
            *cho.findall(q(DCTERMS, "temporal")),
            *cho.findall(q(DCTERMS, "spatial")),
        ]
        if not _text_or_resource(classifying):
            problems.append("edm:ProvidedCHO needs dc:subject, dc:type, dcterms:temporal/spatial")
        types = [el.text for el in cho.findall(q(EDM, "type"))]
        if len(types) != 1 or types[0] not in EDM_TYPES:
            problems.append(f"edm:type must be one of TEXT IMAGE SOUND VIDEO 3D, got {types}")
        if "TEXT" in types and not cho.findall(q(DC, "language")):
            problems.append("dc:language is mandatory when edm:type is TEXT")
    aggregations = rdf.findall(q(ORE, "Aggregation"))
    if len(aggregations) != 1:
        problems.append(f"expected exactly one ore:Aggregation, found {len(aggregations)}")
    cho_uris = {cho.get(ABOUT) for cho in chos}
    for agg in aggregations:
        target = agg.find(q(EDM, "aggregatedCHO"))
        if target is None or target.get(RESOURCE) not in cho_uris:
            problems.append("edm:aggregatedCHO must point to the edm:ProvidedCHO")
        for name in ("dataProvider", "provider"):
            if not _text_or_resource(agg.findall(q(EDM, name))):
                problems.append(f"ore:Aggregation needs edm:{name}")
        if not (agg.findall(q(EDM, "isShownAt")) or agg.findall(q(EDM, "isShownBy"))):
            problems.append("ore:Aggregation needs edm:isShownAt or edm:isShownBy")
        rights = [el.get(RESOURCE) for el in agg.findall(q(EDM, "rights"))]
        if len(rights) != 1 or rights[0] not in RIGHTS_URIS:
            problems.append(f"ore:Aggregation edm:rights must be one closed-list URI, got {rights}")
    for web in rdf.findall(q(EDM, "WebResource")):
        for el in web.findall(q(EDM, "rights")):
            if el.get(RESOURCE) not in RIGHTS_URIS:
                problems.append(f"edm:WebResource {web.get(ABOUT)} has rights {el.get(RESOURCE)}")
    return problems
