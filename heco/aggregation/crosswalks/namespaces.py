"""XML namespaces used by the OAI-PMH envelope and the crosswalks."""

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
EDM = "http://www.europeana.eu/schemas/edm/"
EDM_SCHEMA = "http://www.europeana.eu/schemas/edm/EDM.xsd"
ORE = "http://www.openarchives.org/ore/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"

EDM_NSMAP = {
    "rdf": RDF,
    "dc": DC,
    "dcterms": DCTERMS,
    "edm": EDM,
    "ore": ORE,
    "owl": OWL,
    "skos": SKOS,
    "wgs84_pos": WGS84,
}


def q(namespace: str, name: str) -> str:
    """Clark notation: ``{namespace}name``."""
    return f"{{{namespace}}}{name}"
