"""The Elasticsearch backend without a cluster: the index it creates, the documents and queries
it sends, the alias swap of a rebuild, and what a cluster that is down does to a search.

Only the cluster is faked — a node class under the real client and transport (``fake_elasticsearch``),
which records every request and answers like Elasticsearch would.  The live contract suite
(``test_contract.py``) runs the same backend against a real cluster when ELASTICSEARCH_URL is set.
"""

import json
import re
from datetime import UTC, datetime
from typing import Any

import elastic_transport
import pytest
from elasticsearch.helpers import BulkIndexError

from campus_social.search.backends.base import SearchUnavailable
from campus_social.search.backends.elastic import (
    BULK_TIMEOUT_SECONDS,
    TIMEOUT_SECONDS,
    ElasticsearchBackend,
)
from campus_social.search.backends.elastic_mapping import document_body, index_body
from campus_social.search.backends.elastic_queries import (
    TIER_BOOST,
    prefix_keys,
    query_body,
    suggest_body,
    term_clause,
)
from campus_social.search.documents import (
    COUNT_CAP,
    PUBLIC,
    FacetValue,
    SearchDocument,
    SearchQuery,
)
from campus_social.search.normalize import parse_query
from tests.campus_social.search.fake_elasticsearch import URL, FakeCluster, error_body

ALIAS = "campus-search-test"


def _answer(
    sources: list[dict[str, Any]], *, total: int | None = None, relation: str = "eq", aggs=None
) -> dict[str, Any]:
    return {
        "hits": {
            "total": {"value": len(sources) if total is None else total, "relation": relation},
            "hits": [{"_id": f"{s['kind']}:{s['object_id']}", "_source": s} for s in sources],
        },
        "aggregations": aggs or {},
    }


def _titles(titles: list[str]) -> dict[str, Any]:
    """A typeahead answer: only the titles are asked for."""
    found = [{"_source": {"display": {"title": title}}} for title in titles]
    return {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": found}}


def _hit_source(document: SearchDocument) -> dict[str, Any]:
    body = document_body(document)
    return {key: body[key] for key in ("kind", "object_id", "display")}


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster()


@pytest.fixture
def backend(cluster) -> ElasticsearchBackend:
    return ElasticsearchBackend(URL, index_name=ALIAS, client=cluster.client_for())


SHODO = SearchDocument(
    kind="offering",
    object_id=7,
    title="こども書道教室",
    url="/offerings/7/",
    reading="こども しょどう きょうしつ",
    keywords="中村 文化",
    body="筆の持ち方から。Cooking classes are elsewhere; ＳＣＲＡＴＣＨ too.",
    facets={"category": ("calligraphy",), "weekday": ("2", "6")},
    access=(PUBLIC,),
    rank_date=datetime(2026, 4, 5, 10, 0, tzinfo=UTC),
)


# --- The index -----------------------------------------------------------------------------------

WORDS = {"analyzer": "whitespace", "index_options": "docs", "norms": False, "type": "text"}
PHRASES = {
    "analyzer": "whitespace",
    "index_options": "positions",
    "norms": False,
    "position_increment_gap": 100,
    "type": "text",
}
CJK = {
    "tokenizer": "standard",
    "filter": ["cjk_width", "lowercase", "cjk_bigram"],
    "type": "custom",
}


def _expected_index(title: dict[str, Any], analyzers: dict[str, Any]) -> dict[str, Any]:
    keyword = {"type": "keyword"}
    return {
        "settings": {
            "number_of_shards": 1,
            "max_result_window": 10000,
            "analysis": {"analyzer": analyzers},
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "kind": keyword,
                "object_id": {"type": "integer"},
                "access": keyword,
                "rank_date": {"type": "date"},
                "facet_kind": keyword,
                "facet_category": keyword,
                "facet_district": keyword,
                "facet_audience": keyword,
                "facet_weekday": keyword,
                "facet_free": keyword,
                "facet_credit": keyword,
                "display": {"type": "object", "enabled": False},
                "title": title,
                "reading": {"type": "text", "analyzer": "ja_cjk"},
                "title_unigrams": WORDS,
                "title_bigrams": PHRASES,
                "reading_unigrams": WORDS,
                "reading_bigrams": PHRASES,
                "head_words": WORDS,
                "rest_unigrams": WORDS,
                "rest_bigrams": PHRASES,
                "rest_words": WORDS,
                "romaji": keyword,
                "suggest_keys": {"type": "keyword", "ignore_above": 256},
                "title_exact": {"type": "keyword", "ignore_above": 512},
                "title_length": {"type": "integer"},
            },
        },
    }


def test_without_kuromoji_the_title_is_analysed_as_cjk_bigrams_and_terms_are_whitespace_fields():
    title = {"type": "text", "analyzer": "ja_cjk"}
    assert index_body(kuromoji=False) == _expected_index(title, {"ja_cjk": CJK})


def test_with_kuromoji_the_title_has_a_kuromoji_subfield_too():
    title = {
        "type": "text",
        "analyzer": "ja_cjk",
        "fields": {"kuromoji": {"type": "text", "analyzer": "ja_kuromoji"}},
    }
    kuromoji = {
        "tokenizer": "kuromoji_tokenizer",
        "filter": [
            "kuromoji_baseform",
            "kuromoji_part_of_speech",
            "cjk_width",
            "ja_stop",
            "kuromoji_stemmer",
            "lowercase",
        ],
        "type": "custom",
    }
    assert index_body(kuromoji=True) == _expected_index(
        title, {"ja_cjk": CJK, "ja_kuromoji": kuromoji}
    )


def test_a_document_is_sent_as_its_normalised_terms():
    body = document_body(SHODO)

    assert body["title"] == "こども書道教室"
    assert body["title_unigrams"] == "こ ど も 書 道 教 室"
    # One run: its pairs in order, as one phrase.
    assert body["title_bigrams"] == ["こど ども も書 書道 道教 教室"]
    # The reading's three words are three runs: a phrase cannot cross from one into the next.
    assert body["reading_bigrams"] == ["こど ども", "しょ ょど どう", "きょ ょう うし しつ"]
    assert body["romaji"] == ["kodomo", "shodo", "kyoshitsu"]
    # Keywords and body together, full width folded, English by stem.
    assert body["rest_bigrams"] == ["中村", "文化", "筆の の持 持ち ち方 方か から"]
    assert body["rest_words"] == "cook class are elsewher scratch too"
    assert body["head_words"] == ""
    assert body["facet_category"] == ["calligraphy"]
    assert body["facet_weekday"] == ["2", "6"]
    assert body["facet_kind"] == ["offering"]
    assert body["facet_district"] == []
    assert body["access"] == ["public"]
    assert body["rank_date"] == "2026-04-05T10:00:00+00:00"
    assert body["suggest_keys"] == [
        "こども書道教室",
        "こどもしょどうきょうしつ",
        "kodomoshodokyoshitsu",
    ]
    assert body["display"] == {
        "title": "こども書道教室",
        "url": "/offerings/7/",
        "keywords": "中村 文化",
        "body": SHODO.body,
    }


def test_katakana_and_half_width_are_folded_before_indexing():
    body = document_body(
        SearchDocument(kind="circle", object_id=1, title="ｽﾏﾎ教室", url="/c/1/", body="リョウリ")
    )
    assert body["title_bigrams"] == ["すま まほ ほ教 教室"]
    assert body["rest_bigrams"] == ["りょ ょう うり"]


# --- What a query asks ---------------------------------------------------------------------------


def _filters(text: str) -> list[dict[str, Any]]:
    """The match clause of each term of ``text``."""
    return [term_clause(term).to_dict() for term in parse_query(text).terms]


def _any(*clauses: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"should": list(clauses), "minimum_should_match": 1}}


def test_a_kanji_word_is_its_bigram_phrase_anywhere_or_its_reading_in_the_reading():
    assert _filters("書道") == [
        _any(
            {"match_phrase": {"title_bigrams": "書道"}},
            {"match_phrase": {"reading_bigrams": "書道"}},
            {"match_phrase": {"rest_bigrams": "書道"}},
            {"match_phrase": {"reading_bigrams": "しょ ょど どう"}},
        )
    ]


def test_a_hiragana_word_is_its_bigram_phrase_and_has_no_reading_of_its_own():
    assert (
        _filters("しょどう")
        == _filters("ショドウ")
        == [
            _any(
                {"match_phrase": {"title_bigrams": "しょ ょど どう"}},
                {"match_phrase": {"reading_bigrams": "しょ ょど どう"}},
                {"match_phrase": {"rest_bigrams": "しょ ょど どう"}},
            )
        ]
    )


def test_a_kanji_query_looks_for_its_reading_so_sanpo_finds_a_circle_named_in_kana():
    (clause,) = _filters("散歩")
    assert {"match_phrase": {"reading_bigrams": "さん んぽ"}} in clause["bool"]["should"]


def test_one_character_is_a_unigram_term_and_not_looked_for_by_its_reading():
    # 書 reads しょ, a syllable inside countless other readings: one kanji is matched as itself.
    assert _filters("書") == [
        _any(
            {"term": {"title_unigrams": "書"}},
            {"term": {"reading_unigrams": "書"}},
            {"term": {"rest_unigrams": "書"}},
        )
    ]


def test_full_width_latin_is_a_word_by_stem_and_prefix_or_a_romaji_word():
    assert _filters("ＳＣＲＡＴＣＨ") == [
        _any(
            {"prefix": {"head_words": "scratch"}},
            {"prefix": {"rest_words": "scratch"}},
            {"prefix": {"romaji": "scratch"}},
        )
    ]


def test_english_words_match_by_their_stem():
    assert _filters('"cooking"') == [
        _any(
            {"prefix": {"head_words": "cook"}},
            {"prefix": {"rest_words": "cook"}},
            {"prefix": {"romaji": "coking"}},
        )
    ]


def test_a_word_of_two_letters_must_match_whole():
    assert _filters("AI") == [
        _any(
            {"term": {"head_words": "ai"}},
            {"term": {"rest_words": "ai"}},
            {"term": {"romaji": "ai"}},
        )
    ]


def test_romaji_with_long_vowels_is_compared_by_its_key():
    # The stems differ ("shodou", "shodo"); the romaji word compared is the same.
    for typed in ("shodou", "shodo", "Shodō"):
        assert {"prefix": {"romaji": "shodo"}} in _filters(typed)[0]["bool"]["should"]


def test_two_words_are_two_filters_in_either_order_and_with_a_full_width_space():
    both = _filters("こども 書道")
    assert len(both) == 2
    assert _filters("書道　こども") == [both[1], both[0]]
    assert {"match_phrase": {"title_bigrams": "こど ども"}} in both[0]["bool"]["should"]


def _query(text: str = "", **kwargs: Any) -> SearchQuery:
    return SearchQuery(text=text, access=kwargs.pop("access", frozenset({PUBLIC})), **kwargs)


def test_the_search_body_filters_by_terms_access_and_kinds_and_ranks_the_head_first():
    query = _query("こども 書道", access=frozenset({PUBLIC, "circle:5"}), kinds=("offering",))
    body = query_body(query, parse_query(query.text))

    bool_query = body["query"]["bool"]
    assert bool_query["filter"] == [
        *_filters("こども 書道"),
        {"terms": {"access": ["circle:5", "public"]}},
        {"terms": {"kind": ["offering"]}},
    ]
    head = bool_query["should"][0]["constant_score"]
    assert head["boost"] == TIER_BOOST
    # The head: every term in the title, reading or romaji — never the body.
    assert "rest_bigrams" not in json.dumps(head)
    assert len(head["filter"]["bool"]["filter"]) == 2
    # Japanese analysis only scores.
    assert bool_query["should"][1:] == [
        {"match": {"title": {"query": "こども 書道", "boost": 0.1}}},
        {"match": {"title.kuromoji": {"query": "こども 書道", "boost": 0.1}}},
        {"match": {"reading": {"query": "こども 書道", "boost": 0.1}}},
    ]
    assert body["sort"] == [
        {
            "_script": {
                "type": "number",
                "order": "desc",
                "script": {
                    "source": "Math.floor(_score / params.tier)",
                    "params": {"tier": TIER_BOOST},
                },
            }
        },
        {"rank_date": {"order": "asc", "missing": "_last"}},
        {"_score": {"order": "desc"}},
        {"object_id": {"order": "asc"}},
        {"kind": {"order": "asc"}},
    ]
    assert body["from"] == 0
    assert body["size"] == 20
    assert body["track_total_hits"] == COUNT_CAP
    assert body["_source"] == ["kind", "object_id", "display"]
    assert "post_filter" not in body


def test_an_empty_query_lists_what_the_viewer_may_find_soonest_first():
    body = query_body(_query("  "), parse_query("  "))
    assert body["query"] == {"bool": {"filter": [{"terms": {"access": ["public"]}}]}}
    assert body["sort"] == [
        {"rank_date": {"order": "asc", "missing": "_last"}},
        {"object_id": {"order": "asc"}},
        {"kind": {"order": "asc"}},
    ]


def test_chosen_facets_filter_the_matches_and_the_facets_count_what_is_left():
    query = _query("書道", filters={"category": "calligraphy", "district": "kita"}, page=3)
    body = query_body(query, parse_query(query.text))

    category = {"term": {"facet_category": "calligraphy"}}
    district = {"term": {"facet_district": "kita"}}
    # As on the database: a chosen value narrows everything, counts included.
    assert body["query"]["bool"]["filter"][-2:] == [category, district]
    assert "post_filter" not in body
    assert body["from"] == 40
    assert body["size"] == 20
    # Counted over the first COUNT_CAP matches, like the total.
    assert body["aggs"]["matches"]["sampler"] == {"shard_size": COUNT_CAP}
    aggs = body["aggs"]["matches"]["aggs"]
    assert list(aggs) == [
        "kind",
        "category",
        "district",
        "audience",
        "weekday",
        "free",
        "credit",
    ]
    assert aggs["category"] == {
        "terms": {
            "field": "facet_category",
            "size": 100,
            "order": [{"_count": "desc"}, {"_key": "asc"}],
        }
    }


def test_pages_past_the_result_window_ask_for_no_hits():
    query = _query("書道", page=501, page_size=20)
    body = query_body(query, parse_query(query.text))
    assert body["from"] == 10000
    assert body["size"] == 0


def test_typeahead_asks_for_titles_by_folded_title_reading_or_romaji_prefix():
    assert prefix_keys("ショドウ") == ["しょどう"]
    assert prefix_keys("書道 教") == ["書道 教", "書道教"]
    assert prefix_keys("Shodou Kyo") == ["shodou kyo", "shodoukyo", "shodokyo"]
    assert prefix_keys("書道\x00\x1b[31m") == ["書道 [31m", "書道[31m"]
    assert prefix_keys("  ") == []
    # "Did you mean" also looks for the reading of what was typed in kanji.
    assert prefix_keys("書道 教", with_reading=True) == ["書道 教", "書道教", "しょどうきょう"]

    body = suggest_body(["しょど"], access=frozenset({PUBLIC}), kinds=("circle",), limit=8)
    assert body == {
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"access": ["public"]}},
                    {"terms": {"kind": ["circle"]}},
                    {
                        "bool": {
                            "should": [{"prefix": {"suggest_keys": "しょど"}}],
                            "minimum_should_match": 1,
                        }
                    },
                ]
            }
        },
        "sort": [
            {"title_length": {"order": "asc"}},
            {"rank_date": {"order": "asc", "missing": "_last"}},
            {"object_id": {"order": "asc"}},
        ],
        "collapse": {"field": "title_exact"},
        "_source": ["display.title"],
        "size": 8,
        "track_total_hits": False,
    }


# --- Searching -----------------------------------------------------------------------------------


def test_a_search_answers_hits_with_highlights_capped_totals_and_facet_counts(backend, cluster):
    aggs = {
        "matches": {
            "doc_count": 3,
            "category": {"buckets": [{"key": "calligraphy", "doc_count": 3}]},
            "district": {"buckets": []},
        }
    }
    cluster.add_index("campus-search-test-1", alias=ALIAS)
    cluster.search_answers.append(
        _answer([_hit_source(SHODO)], total=COUNT_CAP, relation="gte", aggs=aggs)
    )

    results = backend.search(_query("しょどう 書道"))

    (request,) = cluster.requests
    assert request.path == f"/{ALIAS}/_search"
    assert request.timeout == TIMEOUT_SECONDS
    assert request.body == query_body(_query("しょどう 書道"), parse_query("しょどう 書道"))
    (hit,) = results.hits
    assert (hit.kind, hit.object_id, hit.url) == ("offering", 7, "/offerings/7/")
    assert hit.title_html == "こども<mark>書道</mark>教室"
    assert hit.snippet_html.startswith("筆の持ち方から。")
    assert results.total == COUNT_CAP
    assert results.total_capped is True
    assert results.facets == {"category": [FacetValue("calligraphy", 3)]}
    assert results.suggestions == []


def test_a_search_before_anything_was_indexed_finds_nothing(backend, cluster):
    results = backend.search(_query("書道"))
    assert results.hits == []
    assert results.total == 0


def test_when_nothing_matches_the_words_that_find_something_and_similar_titles_are_suggested(
    backend, cluster
):
    backend.rebuild(
        [
            SearchDocument(kind="offering", object_id=1, title="書道入門", url="/o/1/"),
            SearchDocument(
                kind="circle", object_id=2, title="書道と宇宙", url="/c/2/", access=("circle:2",)
            ),
        ]
    )
    cluster.requests.clear()

    results = backend.search(_query("書道 宇宙"))

    assert results.total == 0
    # Without 宇宙 it finds 書道入門; without 書道, only a circle the viewer may not find.
    assert results.suggestions == ["書道"]
    assert cluster.paths() == [
        f"POST /{ALIAS}/_search",
        "POST /_msearch",
        f"POST /{ALIAS}/_search",
    ]
    counts = cluster.requests[1].body
    assert counts[0] == {"index": ALIAS}
    assert counts[1] == {
        "query": {"bool": {"filter": [_filters("宇宙")[0], {"terms": {"access": ["public"]}}]}},
        "size": 0,
        "track_total_hits": 1,
    }
    assert counts[3]["query"]["bool"]["filter"][0] == _filters("書道")[0]
    assert cluster.requests[2].body["query"]["bool"]["filter"][1]["bool"]["should"] == [
        {"prefix": {"suggest_keys": "書道 宇宙"}},
        {"prefix": {"suggest_keys": "書道宇宙"}},
        {"prefix": {"suggest_keys": "しょどううちゅう"}},
    ]


def test_when_nothing_matches_the_query_less_one_word_is_suggested(backend):
    backend.rebuild([_doc(1, "こども書道教室", body="筆 墨"), _doc(2, "こども料理", body="包丁")])

    results = backend.search(_query("こども 書道 包丁"))

    # Leaving out each word in turn: 書道, then 包丁 (leaving out こども finds nothing).
    assert results.suggestions == ["こども 包丁", "こども 書道"]


def test_when_nothing_matches_titles_read_like_the_query_are_suggested(backend, cluster):
    backend.rebuild(
        [
            SearchDocument(
                kind="circle",
                object_id=1,
                title="将棋クラブ",
                reading="しょうぎくらぶ",
                url="/c/1/",
            )
        ]
    )
    # Written in other kanji, found by its reading.
    assert [hit.title for hit in backend.search(_query("将棋倶楽部")).hits] == ["将棋クラブ"]
    # Its romaji as one word finds nothing, but starts like the title's romaji.
    results = backend.search(_query("shougikurabu"))
    assert results.total == 0
    assert results.suggestions == ["将棋クラブ"]


def test_typeahead_answers_the_titles_the_cluster_found(backend, cluster):
    cluster.add_index("campus-search-test-1", alias=ALIAS)
    cluster.search_answers.append(_titles(["書道", "こども書道教室"]))
    access = frozenset({PUBLIC, "circle:5"})
    assert backend.suggest("しょ", access=access, limit=5) == ["書道", "こども書道教室"]
    (request,) = cluster.requests
    assert request.body == suggest_body(["しょ"], access=access, kinds=(), limit=5)


# --- Writing: index, remove, rebuild with an alias swap ----------------------------------------


def test_the_first_write_creates_the_index_behind_the_alias_then_writes_through_it(
    backend, cluster
):
    backend.index([SHODO])
    backend.index([SHODO])

    assert cluster.paths() == [
        f"HEAD /_alias/{ALIAS}",
        "GET /_nodes/plugins",
        f"PUT /{ALIAS}-first",
        "PUT /_bulk",
        f"HEAD /_alias/{ALIAS}",
        "PUT /_bulk",
    ]
    created = cluster.requests[2].body
    assert created["aliases"] == {ALIAS: {}}
    assert created["mappings"] == index_body(kuromoji=False)["mappings"]
    bulk = cluster.requests[3]
    assert bulk.params == {"refresh": "wait_for", "require_alias": "true"}
    assert bulk.body == [
        {"index": {"_index": ALIAS, "_id": "offering:7"}},
        document_body(SHODO),
    ]
    assert cluster.documents[f"{ALIAS}-first"] == {"offering:7": document_body(SHODO)}


def test_two_processes_creating_the_first_index_at_once_create_it_once(backend, cluster):
    # Another process created it between our look and our create.
    cluster.add_index(f"{ALIAS}-first", alias=ALIAS)
    cluster.fail[rf"HEAD /_alias/{ALIAS}"] = (404, {})

    backend.index([SHODO])

    assert cluster.paths()[-2:] == [f"PUT /{ALIAS}-first", "PUT /_bulk"]
    assert list(cluster.documents[f"{ALIAS}-first"]) == ["offering:7"]


def test_remove_deletes_by_key_and_ignores_what_is_not_there(backend, cluster):
    cluster.add_index("campus-search-test-1", alias=ALIAS)
    cluster.documents["campus-search-test-1"]["circle:3"] = {}
    backend.remove("circle", [3, 4, 3])
    (bulk,) = cluster.requests
    assert bulk.body == [
        {"delete": {"_index": ALIAS, "_id": "circle:3"}},
        {"delete": {"_index": ALIAS, "_id": "circle:4"}},
    ]
    assert cluster.documents["campus-search-test-1"] == {}


def _documents(count: int) -> list[SearchDocument]:
    return [
        SearchDocument(kind="circle", object_id=i, title=f"散歩の会 {i}", url=f"/c/{i}/")
        for i in range(count)
    ]


def test_a_rebuild_fills_a_new_index_then_moves_the_alias_and_deletes_the_old_one(backend, cluster):
    cluster.plugins = ["analysis-kuromoji", "analysis-icu"]
    cluster.add_index("campus-search-test-old", alias=ALIAS)
    progress: list[int] = []

    assert backend.rebuild(_documents(1200), on_progress=progress.append) == 1200

    new = next(name for name in cluster.indices)
    assert re.fullmatch(rf"{ALIAS}-\d{{20}}", new)
    assert cluster.paths() == [
        "GET /_nodes/plugins",
        f"PUT /{new}",
        "PUT /_bulk",
        "PUT /_bulk",
        "PUT /_bulk",
        f"POST /{new}/_refresh",
        f"GET /_alias/{ALIAS}",
        "POST /_aliases",
        f"DELETE /{ALIAS}-old",
    ]
    # Created with kuromoji, since every node has it.
    assert cluster.indices[new] == {
        "settings": index_body(kuromoji=True)["settings"],
        "mappings": index_body(kuromoji=True)["mappings"],
    }
    assert cluster.requests[7].body == {
        "actions": [
            {"remove": {"index": f"{ALIAS}-old", "alias": ALIAS}},
            {"add": {"index": new, "alias": ALIAS}},
        ]
    }
    assert cluster.aliases[ALIAS] == {new}
    assert len(cluster.documents[new]) == 1200
    assert all(doc["_index"] == new for r in cluster.requests[2:5] for doc in _headers(r.body))
    assert progress == [500, 1000, 1200]
    # Loading may take longer than a search is allowed to.
    assert {r.timeout for r in cluster.requests[1:6]} == {BULK_TIMEOUT_SECONDS}
    assert cluster.requests[0].timeout == TIMEOUT_SECONDS


def _headers(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [next(iter(line.values())) for line in lines if "index" in line]


def test_a_rebuild_of_nothing_on_a_new_cluster_makes_an_empty_index_behind_the_alias(
    backend, cluster
):
    assert backend.rebuild([]) == 0
    (new,) = cluster.indices
    assert cluster.aliases[ALIAS] == {new}
    assert "PUT /_bulk" not in cluster.paths()


def test_a_rebuild_that_fails_deletes_its_half_built_index_and_leaves_the_alias(backend, cluster):
    cluster.add_index("campus-search-test-old", alias=ALIAS)
    cluster.fail[r"PUT /_bulk"] = (
        200,
        {
            "errors": True,
            "items": [{"index": {"_id": "circle:0", "status": 400, "error": {"type": "x"}}}],
        },
    )

    with pytest.raises(BulkIndexError):
        backend.rebuild(_documents(1))

    assert cluster.paths()[-1].startswith(f"DELETE /{ALIAS}-2")
    assert list(cluster.indices) == ["campus-search-test-old"]
    assert cluster.aliases[ALIAS] == {"campus-search-test-old"}
    assert "POST /_aliases" not in cluster.paths()


def test_a_rebuild_whose_source_fails_midway_cleans_up_too(backend, cluster):
    def documents():
        yield from _documents(3)
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents())
    assert cluster.indices == {}
    assert ALIAS not in cluster.aliases


# --- The cluster is down -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        elastic_transport.ConnectionError("connection refused"),
        elastic_transport.ConnectionTimeout("timed out"),
        (503, error_body("cluster_block_exception", 503)),
    ],
    ids=["refused", "timeout", "503"],
)
def test_a_cluster_that_cannot_answer_is_search_unavailable(backend, cluster, failure, settings):
    settings.LANGUAGE_CODE = "en"
    cluster.fail[r".*"] = failure

    for call in (
        lambda: backend.search(_query("書道")),
        lambda: backend.suggest("しょ", access=frozenset({PUBLIC})),
        lambda: backend.index(_documents(1)),
        lambda: backend.remove("circle", [1]),
        lambda: backend.rebuild(_documents(1)),
    ):
        with pytest.raises(SearchUnavailable) as raised:
            call()
        assert raised.value.status == 503
        assert raised.value.message == (
            "Search is not available at the moment. Please try again later."
        )


def test_a_rebuild_that_loses_the_cluster_midway_deletes_what_it_built(backend, cluster):
    cluster.fail[r"PUT /_bulk"] = elastic_transport.ConnectionError("connection reset")
    with pytest.raises(SearchUnavailable):
        backend.rebuild(_documents(1))
    assert cluster.indices == {}
    assert cluster.paths()[-1].startswith("DELETE ")


# --- End to end through the fake cluster -------------------------------------------------------


def _doc(object_id: int, title: str, **fields: Any) -> SearchDocument:
    kind = fields.pop("kind", "offering")
    return SearchDocument(
        kind=kind, object_id=object_id, title=title, url=f"/{kind}s/{object_id}/", **fields
    )


def _titles_for(backend: ElasticsearchBackend, text: str, **options: Any) -> list[str]:
    return [hit.title for hit in backend.search(_query(text, **options)).hits]


def test_what_residents_type_finds_what_they_mean(backend):
    backend.rebuild(
        [
            _doc(1, "書道", reading="しょどう"),
            _doc(2, "東山さんぽの会", kind="circle", reading="ひがしやまさんぽのかい"),
            _doc(3, "Scratchでプログラミング"),
            _doc(4, "Cooking class", body="料理教室です"),
            _doc(5, "スマホ教室", body="スマートフォンの基本"),
            _doc(6, "こども書道教室", reading="こどもしょどうきょうしつ"),
        ]
    )

    assert _titles_for(backend, "しょどう") == ["書道", "こども書道教室"]
    assert _titles_for(backend, "ショドウ") == ["書道", "こども書道教室"]
    assert _titles_for(backend, "shodou") == ["書道", "こども書道教室"]
    assert _titles_for(backend, "散歩") == ["東山さんぽの会"]
    assert _titles_for(backend, "ＳＣＲＡＴＣＨ") == ["Scratchでプログラミング"]
    assert _titles_for(backend, "ｽﾏﾎ") == ["スマホ教室"]
    assert _titles_for(backend, "スマートフォン") == ["スマホ教室"]
    assert _titles_for(backend, "cooking") == ["Cooking class"]
    assert _titles_for(backend, "料理教室") == ["Cooking class"]
    assert _titles_for(backend, "書道　こども") == ["こども書道教室"]
    assert _titles_for(backend, "AI") == []


def test_title_matches_rank_before_body_matches_then_soonest_first(backend):
    backend.rebuild(
        [
            _doc(1, "地域の講座", body="書道の基本", rank_date=datetime(2027, 4, 1, tzinfo=UTC)),
            _doc(2, "書道 秋", rank_date=datetime(2027, 9, 1, tzinfo=UTC)),
            _doc(3, "書道 春", rank_date=datetime(2027, 4, 2, tzinfo=UTC)),
            _doc(4, "一日体験", keywords="書道"),
        ]
    )
    assert _titles_for(backend, "書道") == ["書道 春", "書道 秋", "地域の講座", "一日体験"]


def test_a_private_circle_is_invisible_in_hits_counts_facets_and_suggestions(backend):
    backend.rebuild(
        [
            _doc(
                5,
                "書道サークル",
                kind="circle",
                access=("circle:5",),
                facets={"district": ("kita",)},
            ),
            _doc(1, "書道入門", facets={"district": ("minami",)}),
        ]
    )
    outsider = backend.search(_query("書道"))
    assert [hit.title for hit in outsider.hits] == ["書道入門"]
    assert outsider.total == 1
    assert outsider.facets["district"] == [FacetValue("minami", 1)]
    assert outsider.facets["kind"] == [FacetValue("offering", 1)]
    assert backend.suggest("書道", access=frozenset({PUBLIC})) == ["書道入門"]
    assert "書道サークル" not in backend.search(_query("書道 zzz")).suggestions

    member = frozenset({PUBLIC, "circle:5"})
    assert backend.search(_query("書道", access=member)).total == 2
    assert backend.suggest("書道さ", access=member) == ["書道サークル"]


def test_facets_count_the_matches_left_under_the_chosen_filters(backend):
    backend.rebuild(
        [
            _doc(1, "料理教室 和食", facets={"category": ("cooking",), "weekday": ("1",)}),
            _doc(2, "料理教室 洋食", facets={"category": ("cooking",), "weekday": ("3",)}),
            _doc(3, "書道教室", facets={"category": ("art",), "weekday": ("3",)}),
        ]
    )
    results = backend.search(_query("教室", filters={"category": "cooking"}))

    assert [hit.title for hit in results.hits] == ["料理教室 和食", "料理教室 洋食"]
    assert results.total == 2
    assert results.facets["category"] == [FacetValue("cooking", 2)]
    assert results.facets["weekday"] == [FacetValue("1", 1), FacetValue("3", 1)]


def test_a_cluster_that_will_not_list_its_plugins_gets_cjk_bigrams(backend, cluster):
    cluster.fail[r"GET /_nodes/plugins"] = (403, error_body("security_exception", 403))
    backend.rebuild([])
    (created,) = cluster.indices.values()
    assert created["mappings"] == index_body(kuromoji=False)["mappings"]


def test_documents_the_cluster_refuses_are_logged_and_the_index_is_unavailable(
    backend, cluster, caplog
):
    cluster.add_index("campus-search-test-1", alias=ALIAS)
    refused = {"_id": "offering:7", "status": 429, "error": {"type": "es_rejected_execution"}}
    cluster.fail[r"PUT /_bulk"] = (200, {"errors": True, "items": [{"index": refused}]})

    with pytest.raises(SearchUnavailable):
        backend.index([SHODO])
    assert "search index refused 1 document(s)" in caplog.text
    assert "('offering:7', 429, 'es_rejected_execution')" in caplog.text
    assert "こども書道教室" not in caplog.text
