"""The backends the search contract runs against: the database always; the Elasticsearch
backend against the fake cluster of ``fake_elasticsearch`` always (what it sends and how it reads
the answers — not Elasticsearch's own analysis), and against a live cluster only when
``ELASTICSEARCH_URL`` is set (marker ``live_elasticsearch``)."""

import pytest
from django.conf import settings

from campus_social.search.backends import SearchBackend


@pytest.fixture(
    params=[
        "database",
        "elasticsearch-fake",
        pytest.param("elasticsearch", marks=pytest.mark.live_elasticsearch),
    ]
)
def search_backend(request: pytest.FixtureRequest, db: None) -> SearchBackend:
    """An empty index on one backend."""
    if request.param == "database":
        from campus_social.search.backends.database import DatabaseBackend

        backend: SearchBackend = DatabaseBackend()
    elif request.param == "elasticsearch-fake":
        from campus_social.search.backends.elastic import ElasticsearchBackend
        from tests.campus_social.search.fake_elasticsearch import FakeCluster

        backend = ElasticsearchBackend(
            url="http://es.test:9200",
            index_name="campus-search-test",
            client=FakeCluster().client_for(),
        )
    else:
        if not settings.ELASTICSEARCH_URL:
            pytest.skip("ELASTICSEARCH_URL is not set")
        from campus_social.search.backends.elastic import ElasticsearchBackend

        backend = ElasticsearchBackend(
            url=settings.ELASTICSEARCH_URL, index_name="campus-search-test"
        )
    backend.rebuild([])
    return backend
