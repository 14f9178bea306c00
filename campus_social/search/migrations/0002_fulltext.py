"""The full-text table beside ``SearchEntry``, in the form the database has: an FTS5 table on
SQLite, a tsvector table with a GIN index on PostgreSQL.  Each row's id is its entry's id.

Both hold the terms ``backends.database`` makes (``normalize`` decides them), in namespaces:
on SQLite one column each, on PostgreSQL a one-letter prefix on each lexeme.  The ``ascii``
tokenizer splits on ASCII spaces only (every term is ASCII letters and digits, or Japanese), so
the terms stay exactly what Python made.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE search_fulltext USING fts5("
    "head, rest, reading, romaji, tags, tokenize='ascii', columnsize=0)"
)
SQLITE_DROP = "DROP TABLE IF EXISTS search_fulltext"
POSTGRES_CREATE = [
    "CREATE TABLE search_fulltext (id bigint PRIMARY KEY, terms tsvector NOT NULL)",
    "CREATE INDEX search_fulltext_terms ON search_fulltext USING gin (terms)",
]
POSTGRES_DROP = "DROP TABLE IF EXISTS search_fulltext"


def create_fulltext(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"database search does not support {vendor}")


def drop_fulltext(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create_fulltext, drop_fulltext)]
