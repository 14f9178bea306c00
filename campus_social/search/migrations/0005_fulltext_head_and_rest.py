"""On PostgreSQL the full-text table holds two tsvectors, ``head`` (title, reading, romaji) and
``rest`` (keywords, body), each GIN-indexed: checking a phrase against a title no longer reads
the description's terms.  The index is emptied; ``manage.py search_reindex`` fills it again.
SQLite's table is unchanged."""

from django.db import migrations

POSTGRES_CREATE = [
    "DROP TABLE IF EXISTS search_fulltext",
    "CREATE TABLE search_fulltext"
    " (id bigint PRIMARY KEY, head tsvector NOT NULL, rest tsvector NOT NULL)",
    "CREATE INDEX search_fulltext_head ON search_fulltext USING gin (head)",
    "CREATE INDEX search_fulltext_rest ON search_fulltext USING gin (rest)",
    "DELETE FROM search_searchfacet",
    "DELETE FROM search_searchentry",
]
POSTGRES_CREATE_BEFORE = [
    "DROP TABLE IF EXISTS search_fulltext",
    "CREATE TABLE search_fulltext (id bigint PRIMARY KEY, terms tsvector NOT NULL)",
    "CREATE INDEX search_fulltext_terms ON search_fulltext USING gin (terms)",
    "DELETE FROM search_searchfacet",
    "DELETE FROM search_searchentry",
]


def _run(schema_editor, statements: list[str]) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements:
            schema_editor.execute(statement)


def head_and_rest(apps, schema_editor):
    _run(schema_editor, POSTGRES_CREATE)


def one_tsvector(apps, schema_editor):
    _run(schema_editor, POSTGRES_CREATE_BEFORE)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_fulltext_one_column")]

    operations = [migrations.RunPython(head_and_rest, one_tsvector)]
