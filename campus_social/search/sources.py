"""Helpers for the apps' document sources (``registry.DocumentSource``): reading many rows a
chunk at a time, and words to index in both of the site's languages."""

from collections.abc import Iterator
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils import translation

M = TypeVar("M", bound=Model)


def in_chunks(queryset: QuerySet[M], chunk_size: int) -> Iterator[list[M]]:
    """The rows of ``queryset`` by primary key, ``chunk_size`` at a time.  Each chunk is one
    query plus the queryset's prefetches, whatever the number of rows; paging by key (not by
    offset) keeps the last chunk as cheap as the first."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:chunk_size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def in_both_languages(label: object) -> str:
    """A translatable label (a category, a topic) in Japanese and in English, so that a
    resident finds it by either word ("料理", "cooking")."""
    words = []
    for language in ("ja", "en"):
        with translation.override(language):
            words.append(str(label))
    return " ".join(dict.fromkeys(words))
