"""Filter keys (facet values and grid cells) as a fourth full-text field (heco.search.keys).

Adds ``search_text.keys``, fills it for the documents already indexed, and puts it into the
full-text index: SQLite re-creates the FTS5 table with a ``keys`` column and rebuilds it;
on PostgreSQL migration 0006 recomputes the tsvector columns.
"""

from django.db import migrations, models

FTS5_WITH_KEYS = """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, meta, body, keys,
        content='search_text', content_rowid='docid',
        tokenize='unicode61 remove_diacritics 2',
        prefix='2 3'
    )
"""
FTS5_WITHOUT_KEYS = """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, meta, body,
        content='search_text', content_rowid='docid',
        tokenize='unicode61 remove_diacritics 2',
        prefix='2 3'
    )
"""


def fill_keys(apps, schema_editor):
    from heco.search.documents import split
    from heco.search.keys import document_keys

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT docid, country, community, organisation, kind, themes, accessibility, lat,"
            " lon FROM search_document"
        )
        rows = cursor.fetchall()
        updates = [
            (
                document_keys(
                    country=country,
                    community=community,
                    organisation=organisation,
                    kind=kind,
                    themes=split(themes),
                    accessibility=split(accessibility),
                    lat=lat,
                    lon=lon,
                ),
                docid,
            )
            for docid, country, community, organisation, kind, themes, accessibility, lat, lon
            in rows
        ]
        cursor.executemany("UPDATE search_text SET keys = %s WHERE docid = %s", updates)
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS search_fts")
            cursor.execute(FTS5_WITH_KEYS)
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        # PostgreSQL: migration 0006 recomputes the tsvector columns with the keys


def drop_keys(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS search_fts")
            cursor.execute(FTS5_WITHOUT_KEYS)
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_title_index")]

    operations = [
        migrations.AddField(
            model_name="searchtext",
            name="keys",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(fill_keys, drop_keys),
    ]
