"""The search backends and the one the site uses: Elasticsearch when ``ELASTICSEARCH_URL`` is
set, else the database the site runs on (SQLite FTS5 or PostgreSQL)."""

import functools

from django.conf import settings

from campus_social.search.backends.base import SearchBackend, SearchUnavailable

__all__ = ["SearchBackend", "SearchUnavailable", "backend"]


@functools.cache
def backend() -> SearchBackend:
    if settings.ELASTICSEARCH_URL:
        from campus_social.search.backends.elastic import ElasticsearchBackend

        return ElasticsearchBackend(url=settings.ELASTICSEARCH_URL)
    from campus_social.search.backends.database import DatabaseBackend

    return DatabaseBackend()
