"""Search on Elasticsearch, with the same matching, ranking intent and results as the database.

What is indexed is described in ``elastic_mapping``, what is asked in ``elastic_queries``;
this module talks to the cluster and turns its answers into ``SearchResults``.

Searches read through an alias (``index_name``); ``rebuild`` fills a new concrete index and
moves the alias in one step, so searches never see a half-built index.  The cluster being down
or slow is ``SearchUnavailable`` (the API's 503), after a short timeout.
"""

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

from campus_social.search.backends import elastic_mapping as fields
from campus_social.search.backends.base import SearchUnavailable
from campus_social.search.backends.elastic_queries import (
    SAMPLE,
    SUB_QUERY_TERMS_MAX,
    SUGGESTIONS_MAX,
    prefix_keys,
    query_body,
    sub_query_body,
    suggest_body,
)
from campus_social.search.documents import (
    COUNT_CAP,
    FACETS,
    FacetValue,
    Hit,
    SearchDocument,
    SearchQuery,
    SearchResults,
)
from campus_social.search.highlight import highlight, snippet
from campus_social.search.normalize import ParsedQuery, parse_query

logger = logging.getLogger(__name__)

# A search answers in well under a second or not at all: a resident waits no longer than this
# before being told search is unavailable.
TIMEOUT_SECONDS = 3.0
# Creating an index and loading a batch of documents may take longer.
BULK_TIMEOUT_SECONDS = 60.0
BULK_CHUNK = 500


@contextmanager
def _unavailable_when_down() -> Iterator[None]:
    """A cluster that cannot be reached, times out or fails on its side is ``SearchUnavailable``;
    a request it refuses as wrong (4xx) is a bug here and is raised as it is."""
    try:
        yield
    except TransportError as error:
        raise SearchUnavailable() from error
    except ApiError as error:
        if error.status_code >= 500 or error.status_code == 429:
            raise SearchUnavailable() from error
        raise


@contextmanager
def _logged_when_refused() -> Iterator[None]:
    """Documents the cluster refused (overloaded, or a bug) leave the index behind the
    database, as a cluster that is down does: logged, and caught up by the next rebuild — the
    change that asked for the update has committed and must not fail now."""
    try:
        yield
    except helpers.BulkIndexError as error:
        # Ids, statuses and error types only: the documents themselves stay out of the log.
        refused = [
            (item.get("_id"), item.get("status"), (item.get("error") or {}).get("type"))
            for failure in error.errors
            for item in failure.values()
        ]
        logger.error("search index refused %d document(s): %s", len(refused), refused[:5])
        raise SearchUnavailable() from error


def connect(url: str, **options: Any) -> Elasticsearch:
    """A client that gives up soon (``options`` are for tests: a fake node class)."""
    return Elasticsearch(
        url, request_timeout=TIMEOUT_SECONDS, max_retries=1, retry_on_timeout=False, **options
    )


class ElasticsearchBackend:
    """The search backend on an Elasticsearch cluster at ``url``; ``index_name`` is the alias
    searches read through (``client`` is for tests: a client on a fake transport)."""

    def __init__(
        self,
        url: str,
        *,
        index_name: str = "campus-search",
        client: Elasticsearch | None = None,
    ) -> None:
        self.index_name = index_name
        self.client = client or connect(url)

    # --- Writing ---

    def index(self, documents: Iterable[SearchDocument]) -> None:
        actions = [self._action(self.index_name, document) for document in documents]
        if not actions:
            return
        with _unavailable_when_down(), _logged_when_refused():
            self._ensure_alias()
            # Visible to the next search (an edit is followed by a look at the result); written
            # only through the alias, never into an index made up on the spot.
            helpers.bulk(self.client, actions, refresh="wait_for", require_alias=True)

    def remove(self, kind: str, object_ids: Iterable[int]) -> None:
        actions = [
            {"_op_type": "delete", "_index": self.index_name, "_id": f"{kind}:{object_id}"}
            for object_id in sorted(set(object_ids))
        ]
        if not actions:
            return
        with _unavailable_when_down(), _logged_when_refused():
            # Not in the index (or no index yet) is what was asked for.
            helpers.bulk(self.client, actions, refresh="wait_for", ignore_status=(404,))

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        on_progress: Callable[[int], None] = lambda done: None,
    ) -> int:
        """Fill a new concrete index, then move the alias to it in one step and delete the old
        one.  A failure on the way deletes the new index and leaves the alias where it was."""
        with _unavailable_when_down():
            new_index = f"{self.index_name}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
            self._create(new_index)
            try:
                done = self._load(new_index, documents, on_progress)
                self._slow().indices.refresh(index=new_index)
                old_indices = self._aliased_indices()
                moves: list[Mapping[str, Any]] = [
                    {"remove": {"index": name, "alias": self.index_name}} for name in old_indices
                ]
                moves.append({"add": {"index": new_index, "alias": self.index_name}})
                self._slow().indices.update_aliases(actions=moves)
            except BaseException:
                self._delete_quietly(new_index)
                raise
        for name in old_indices:
            self._delete_quietly(name)
        return done

    def _action(self, index: str, document: SearchDocument) -> dict[str, Any]:
        return {
            "_index": index,
            "_id": document.key,
            "_source": fields.document_body(document),
        }

    def _load(
        self,
        index: str,
        documents: Iterable[SearchDocument],
        on_progress: Callable[[int], None],
    ) -> int:
        done = 0
        actions = (self._action(index, document) for document in documents)
        for _ok, _item in helpers.streaming_bulk(self._slow(), actions, chunk_size=BULK_CHUNK):
            done += 1
            if done % BULK_CHUNK == 0:
                on_progress(done)
        on_progress(done)
        return done

    def _create(self, index: str, *, aliased: bool = False) -> None:
        body = fields.index_body(kuromoji=self._has_kuromoji())
        self._slow().indices.create(
            index=index,
            settings=body["settings"],
            mappings=body["mappings"],
            aliases={self.index_name: {}} if aliased else None,
        )

    def _slow(self) -> Elasticsearch:
        """The client for creating and loading an index, which may take longer than a search."""
        return self.client.options(request_timeout=BULK_TIMEOUT_SECONDS)

    def _has_kuromoji(self) -> bool:
        """Whether every node has the kuromoji plugin (an analyzer must exist on each)."""
        try:
            nodes = self.client.nodes.info(metric="plugins").body.get("nodes", {})
        except ApiError as error:
            if error.status_code >= 500:
                raise
            return False  # not allowed to ask (a hosted cluster): do without
        plugins = [
            {plugin["name"] for plugin in node.get("plugins", [])} for node in nodes.values()
        ]
        return bool(plugins) and all(fields.KUROMOJI_PLUGIN in names for names in plugins)

    def _aliased_indices(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.index_name).body)
        except NotFoundError:
            return []

    def _ensure_alias(self) -> None:
        """The first write to a cluster without the index creates it (under a fixed name, so
        two processes doing so at once create it once).  Asked on every write: writes are few,
        and an index deleted by hand is made again."""
        if self.client.indices.exists_alias(name=self.index_name):
            return
        try:
            self._create(f"{self.index_name}-first", aliased=True)
        except ApiError as error:
            if error.status_code != 400 or error.error != "resource_already_exists_exception":
                raise

    def _delete_quietly(self, index: str) -> None:
        try:
            self.client.options(ignore_status=404).indices.delete(index=index)
        except (TransportError, ApiError):
            logger.warning("search index %s could not be deleted; delete it by hand", index)

    # --- Reading ---

    def search(self, query: SearchQuery) -> SearchResults:
        parsed = parse_query(query.text)
        empty = SearchResults(
            hits=[], total=0, total_capped=False, page=query.page, page_size=query.page_size
        )
        with _unavailable_when_down():
            try:
                response = self.client.search(
                    index=self.index_name, body=query_body(query, parsed)
                ).body
            except NotFoundError:
                return empty  # nothing indexed yet
            results = self._results(response, query, parsed)
            if results.total == 0 and parsed:
                results = replace(results, suggestions=self._suggestions(query, parsed))
        return results

    def _results(
        self, response: Mapping[str, Any], query: SearchQuery, parsed: ParsedQuery
    ) -> SearchResults:
        hits = []
        for found in response["hits"]["hits"]:
            source = found["_source"]
            display = source["display"]
            hits.append(
                Hit(
                    kind=source["kind"],
                    object_id=source["object_id"],
                    title=display["title"],
                    url=display["url"],
                    title_html=highlight(display["title"], parsed),
                    snippet_html=snippet(display["body"], display["keywords"], query=parsed),
                )
            )
        total = response["hits"]["total"]
        facets: dict[str, list[FacetValue]] = {}
        for name in FACETS:
            sample = response.get("aggregations", {}).get(SAMPLE, {})
            buckets = sample.get(name, {})
            values = [
                FacetValue(value=bucket["key"], count=bucket["doc_count"])
                for bucket in buckets.get("buckets", [])
            ]
            if values:
                facets[name] = values
        return SearchResults(
            hits=hits,
            total=min(total["value"], COUNT_CAP),
            total_capped=total["relation"] == "gte",
            page=query.page,
            page_size=query.page_size,
            facets=facets,
        )

    def _suggestions(self, query: SearchQuery, parsed: ParsedQuery) -> list[str]:
        """When nothing matched: the query without one of its terms, where that finds something
        (asked in one multi-search), then titles that start like the query, its reading or its
        romaji — as the database backend suggests."""
        found: list[str] = []
        terms = parsed.terms
        if 1 < len(terms) <= SUB_QUERY_TERMS_MAX:
            sub_queries = [
                terms[:left_out] + terms[left_out + 1 :] for left_out in range(len(terms))
            ]
            searches: list[Mapping[str, Any]] = []
            for rest in sub_queries:
                searches += [{"index": self.index_name}, sub_query_body(query, rest)]
            answers = self.client.msearch(searches=searches).body["responses"]
            found += [
                " ".join(term.text for term in rest)
                for rest, answer in zip(sub_queries, answers, strict=True)
                if answer.get("hits", {}).get("total", {}).get("value", 0) > 0
            ]
        found += self._titles_starting(
            prefix_keys(query.text, with_reading=True),
            access=query.access,
            kinds=query.kinds,
            limit=SUGGESTIONS_MAX,
        )
        return list(dict.fromkeys(found))[:SUGGESTIONS_MAX]

    def suggest(
        self, text: str, *, access: frozenset[str], kinds: tuple[str, ...] = (), limit: int = 8
    ) -> list[str]:
        with _unavailable_when_down():
            return self._titles_starting(prefix_keys(text), access=access, kinds=kinds, limit=limit)

    def _titles_starting(
        self, keys: Sequence[str], *, access: frozenset[str], kinds: Sequence[str], limit: int
    ) -> list[str]:
        if not keys or limit < 1:
            return []
        body = suggest_body(keys, access=access, kinds=kinds, limit=limit)
        try:
            response = self.client.search(index=self.index_name, body=body).body
        except NotFoundError:
            return []
        return [found["_source"]["display"]["title"] for found in response["hits"]["hits"]]
