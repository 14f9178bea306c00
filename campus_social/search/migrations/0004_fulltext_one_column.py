"""The FTS5 table becomes one column of namespaced terms (``backends.database.LETTER``): a
term's list of documents then holds only the documents having it in that namespace.  The index
is emptied; ``manage.py search_reindex`` fills it again.  PostgreSQL's table is unchanged."""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE search_fulltext USING fts5(terms, tokenize='ascii', columnsize=0)"
)
SQLITE_CREATE_BEFORE = (
    "CREATE VIRTUAL TABLE search_fulltext USING fts5("
    "head, rest, reading, romaji, tags, tokenize='ascii', columnsize=0)"
)


def _recreate(schema_editor, create: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS search_fulltext")
    schema_editor.execute(create)
    schema_editor.execute("DELETE FROM search_searchfacet")
    schema_editor.execute("DELETE FROM search_searchentry")


def one_column(apps, schema_editor):
    _recreate(schema_editor, SQLITE_CREATE)


def one_column_per_namespace(apps, schema_editor):
    _recreate(schema_editor, SQLITE_CREATE_BEFORE)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_facet")]

    operations = [migrations.RunPython(one_column, one_column_per_namespace)]
