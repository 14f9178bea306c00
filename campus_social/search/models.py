"""The database search index: one ``SearchEntry`` per findable thing, and beside it the full-text
table the database backend matches against (an FTS5 table on SQLite, a table of tsvectors with a
GIN index on PostgreSQL; both made by this app's migrations, keyed by the entry's id).

The apps' own tables stay the truth; these rows are only the index, rebuilt from them by
``manage.py search_reindex`` at any time.
"""

from django.db import models

# Typeahead compares the start of a title, reading or romaji: this much of each is kept.
PREFIX_KEY_CHARS = 100
# Facet values are short codes ("kita", "3", "yes"); a longer one is cut to this.
FACET_VALUE_MAX = 200


class SearchEntry(models.Model):
    """One indexed document (``documents.SearchDocument``), as the database backend keeps it.

    The id is not a counter: it encodes the ranking order (``rank_date`` soonest first, empty
    dates last, then the order of indexing), so that both full-text engines, which hand back
    matches in id order, give the best ones first without sorting every match.
    """

    id = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    title = models.TextField()
    reading = models.TextField(blank=True)
    keywords = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    facets = models.JSONField(default=dict)
    access = models.JSONField(default=list)
    rank_date = models.DateTimeField(null=True, blank=True)
    # Folded title, reading and romaji without spaces, cut to PREFIX_KEY_CHARS: for typeahead.
    title_key = models.CharField(max_length=PREFIX_KEY_CHARS, db_index=True)
    reading_key = models.CharField(max_length=PREFIX_KEY_CHARS, db_index=True, blank=True)
    romaji_key = models.CharField(max_length=PREFIX_KEY_CHARS, db_index=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")
        ]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


class SearchFacet(models.Model):
    """One facet value of one entry (its kind too, as the facet "kind"): facet counts are a
    GROUP BY over these narrow rows, never a read of the entries themselves."""

    entry_id = models.BigIntegerField()
    name = models.CharField(max_length=40)
    value = models.CharField(max_length=FACET_VALUE_MAX)

    class Meta:
        indexes = [models.Index(fields=["entry_id", "name", "value"], name="search_facet_of_entry")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.name}={self.value}"
