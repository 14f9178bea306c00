"""On PostgreSQL a full-text row's tsvectors are kept out of line (uncompressed, as before): the
table itself holds little more than the ids, about thirty rows a page.  Listing a term's
matches from the GIN index then reads a few pages for thousands of matches, instead of one page
per match; walking the ids of a very common term reads the tsvectors it checks as it goes.
Rows written before keep their layout until ``manage.py search_reindex``.  Nothing on SQLite."""

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
