"""Crosswalks from our models to standard formats: oai_dc, EDM, schema.org JSON-LD, IIIF."""
