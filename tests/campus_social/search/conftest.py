"""The backends the search contract runs against: the database always, Elasticsearch only when
``ELASTICSEARCH_URL`` points at a live cluster (marker ``live_elasticsearch``)."""

import pytest
from django.conf import settings

from campus_social.search.backends import SearchBackend


@pytest.fixture(
    params=[
        "database",
        pytest.param("elasticsearch", marks=pytest.mark.live_elasticsearch),
    ]
)
def search_backend(request: pytest.FixtureRequest, db: None) -> SearchBackend:
    """An empty index on one backend."""
    if request.param == "database":
        from campus_social.search.backends.database import DatabaseBackend

        backend: SearchBackend = DatabaseBackend()
    else:
        if not settings.ELASTICSEARCH_URL:
            pytest.skip("ELASTICSEARCH_URL is not set")
        from campus_social.search.backends.elastic import ElasticsearchBackend

        backend = ElasticsearchBackend(
            url=settings.ELASTICSEARCH_URL, index_name="campus-search-test"
        )
    backend.rebuild([])
    return backend
