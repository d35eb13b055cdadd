"""Static-site export: ``heco publish --out DIR`` writes the whole public site, every language,
as files that work from any static host or from a USB stick (see builder.py)."""
