"""PostgreSQL: a stripped matching vector with the filter keys, and a title vector.

``tsv`` becomes the stripped words of the three text fields plus the filter keys as ``_key``
lexemes (small enough to stay inline in the row); ``tsv_title`` holds the titles' words, with
its own GIN index (see heco.search.backends.postgres). Nothing to do on SQLite.
"""

from django.db import migrations


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from heco.search.backends.postgres import create_tsv_index, drop_tsv_index, update_vectors_sql

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_document ADD COLUMN IF NOT EXISTS tsv_title tsvector")
        drop_tsv_index(cursor)
        cursor.execute(update_vectors_sql())
        create_tsv_index(cursor)


def backward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_document_tsv_title")
        cursor.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS tsv_title")


class Migration(migrations.Migration):
    dependencies = [("search", "0005_filter_keys")]

    operations = [migrations.RunPython(forward, backward)]
