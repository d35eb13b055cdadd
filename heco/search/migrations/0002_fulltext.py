"""Backend-specific full-text objects, created only for the matching database vendor.

SQLite: an FTS5 table with external content ``search_text`` (rowid = docid), tokenizer
``unicode61 remove_diacritics 2`` so that "plunge" finds "Plungė",
and prefix indexes for 2 and 3 characters so that type-ahead prefixes ("pl"*, "plu"*) read
one doclist instead of merging those of every word they start.

PostgreSQL: the ``unaccent`` extension, an IMMUTABLE wrapper ``heco_unaccent(text)`` (unaccent
itself is only STABLE, so it cannot be used in index expressions), a ``tsv`` column on
``search_document`` built with the 'simple' configuration (multilingual: no stemming) and a GIN
index on it.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, meta, body,
        content='search_text', content_rowid='docid',
        tokenize='unicode61 remove_diacritics 2',
        prefix='2 3'
    )
    """,
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # schema-qualified so that it works whatever the caller's search_path
    """
    DO $do$
    DECLARE s text;
    BEGIN
        SELECT n.nspname INTO s FROM pg_extension e
        JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent';
        EXECUTE format(
            'CREATE OR REPLACE FUNCTION heco_unaccent(text) RETURNS text '
            'LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT '
            'AS $f$ SELECT %1$I.unaccent(%2$L::regdictionary, $1) $f$',
            s, s || '.unaccent');
    END
    $do$
    """,
    "ALTER TABLE search_document ADD COLUMN IF NOT EXISTS tsv tsvector",
    # the text query: WHERE tsv @@ to_tsquery('simple', ...)
    "CREATE INDEX IF NOT EXISTS search_document_tsv ON search_document USING gin (tsv)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS tsv",
    "DROP FUNCTION IF EXISTS heco_unaccent(text)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)  # no %-placeholders

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
