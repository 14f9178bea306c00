"""What the Elasticsearch index holds: its settings and mapping, and the body of each document.

Matching never depends on Elasticsearch's own analysis.  Each text is cut by
``normalize.index_terms`` in Python — the very terms the database backend indexes — and the
terms go, space-separated, into fields analysed by the plain ``whitespace`` analyzer, which
keeps them as they are:

- ``*_unigrams``: every Japanese character, for one-character queries;
- ``*_bigrams``: one array element per Japanese run, its character pairs in order; a query of
  two or more characters is a ``match_phrase`` over its pairs, and ``position_increment_gap``
  keeps a phrase from running from one run into the next (as the database's break does);
- ``*_words``: the English stems of the other words (``term``, or ``prefix`` for three letters
  or more);
- ``romaji``: the Hepburn keys of the title's reading, one keyword a word.

Each comes for the title, the reading (kept apart: a kanji query's reading is looked for in the
reading only) and the rest (keywords and body); the title, reading and romaji together are the
"head" that ranks first.  Japanese analysis — kuromoji where the cluster has the plugin, CJK
bigrams otherwise — is indexed too (``title``, ``reading``) but only scores, never decides what
matches.  Access keys and facet values are keyword fields for filters and aggregations;
``suggest_keys`` holds the folded title, reading and romaji for typeahead prefixes.
"""

from typing import Any

from elasticsearch.dsl import (
    Date,
    Index,
    Integer,
    Keyword,
    Mapping,
    Object,
    Text,
    analyzer,
)

from campus_social.search.documents import FACETS, SearchDocument
from campus_social.search.normalize import fold, index_terms, romaji_words

# Terms made in Python, kept exactly as they are.
TERMS_ANALYZER = "whitespace"
# A phrase never reaches from one array element (one Japanese run) into the next.
RUN_GAP = 100

TITLE_UNIGRAMS = "title_unigrams"
TITLE_BIGRAMS = "title_bigrams"
READING_UNIGRAMS = "reading_unigrams"
READING_BIGRAMS = "reading_bigrams"
HEAD_WORDS = "head_words"  # words of the title and the reading
REST_UNIGRAMS = "rest_unigrams"
REST_BIGRAMS = "rest_bigrams"
REST_WORDS = "rest_words"  # words of the keywords and the body
ROMAJI = "romaji"

SUGGEST_KEYS = "suggest_keys"
TITLE_EXACT = "title_exact"  # the title as written: typeahead answers each title once
TITLE_LENGTH = "title_length"  # typeahead answers short titles first

# Japanese analysis, for scoring only.
CJK_ANALYZER = "ja_cjk"
KUROMOJI_ANALYZER = "ja_kuromoji"
KUROMOJI_PLUGIN = "analysis-kuromoji"


def facet_field(name: str) -> str:
    return f"facet_{name}"


def _cjk() -> Any:
    # Width folding and lowercase come first so that full-width Latin and half-width kana meet
    # their usual forms before being paired.
    return analyzer(
        CJK_ANALYZER, tokenizer="standard", filter=["cjk_width", "lowercase", "cjk_bigram"]
    )


def _kuromoji() -> Any:
    return analyzer(
        KUROMOJI_ANALYZER,
        tokenizer="kuromoji_tokenizer",
        filter=[
            "kuromoji_baseform",
            "kuromoji_part_of_speech",
            "cjk_width",
            "ja_stop",
            "kuromoji_stemmer",
            "lowercase",
        ],
    )


def _terms(*, phrases: bool) -> Text:
    """A field of Python-made terms.  Only phrases need positions; nothing here is scored."""
    if phrases:
        return Text(
            analyzer=TERMS_ANALYZER,
            index_options="positions",
            position_increment_gap=RUN_GAP,
            norms=False,
        )
    return Text(analyzer=TERMS_ANALYZER, index_options="docs", norms=False)


def _index(name: str, *, kuromoji: bool) -> Index:
    index = Index(name)
    # One shard: the index is small (a city's courses and circles), and one shard keeps scores
    # and counts exact.
    index.settings(number_of_shards=1, max_result_window=10000)
    index.mapping(_mapping(kuromoji=kuromoji))
    return index


def _mapping(*, kuromoji: bool) -> Mapping:
    m = Mapping()
    m.meta("dynamic", "strict")
    m.field("kind", Keyword())
    m.field("object_id", Integer())
    m.field("access", Keyword())
    m.field("rank_date", Date())
    for name in FACETS:
        m.field(facet_field(name), Keyword())
    # What a hit shows, kept in _source only.
    m.field("display", Object(enabled=False))

    title_fields = {"kuromoji": Text(analyzer=_kuromoji())} if kuromoji else {}
    m.field("title", Text(analyzer=_cjk(), fields=title_fields))
    m.field("reading", Text(analyzer=_cjk()))

    m.field(TITLE_UNIGRAMS, _terms(phrases=False))
    m.field(TITLE_BIGRAMS, _terms(phrases=True))
    m.field(READING_UNIGRAMS, _terms(phrases=False))
    m.field(READING_BIGRAMS, _terms(phrases=True))
    m.field(HEAD_WORDS, _terms(phrases=False))
    m.field(REST_UNIGRAMS, _terms(phrases=False))
    m.field(REST_BIGRAMS, _terms(phrases=True))
    m.field(REST_WORDS, _terms(phrases=False))
    m.field(ROMAJI, Keyword())

    m.field(SUGGEST_KEYS, Keyword(ignore_above=256))
    m.field(TITLE_EXACT, Keyword(ignore_above=512))
    m.field(TITLE_LENGTH, Integer())
    return m


def index_body(*, kuromoji: bool) -> dict[str, Any]:
    """The ``settings`` and ``mappings`` a new concrete index is created with."""
    body: dict[str, Any] = _index("unused", kuromoji=kuromoji).to_dict()
    return body


def mapping(*, kuromoji: bool) -> dict[str, Any]:
    return index_body(kuromoji=kuromoji)["mappings"]


def index_settings(*, kuromoji: bool) -> dict[str, Any]:
    return index_body(kuromoji=kuromoji)["settings"]


def document_body(document: SearchDocument) -> dict[str, Any]:
    """The ``_source`` of one document: the normalised terms of each field, its filters, and
    what a hit shows."""
    title = index_terms(document.title)
    reading = index_terms(document.reading)
    keywords = index_terms(document.keywords)
    body = index_terms(document.body)
    romaji = romaji_words(document.title, document.reading)
    folded_title = fold(document.title)
    folded_reading = fold(document.reading)

    facets = {facet_field(name): list(document.facets.get(name, ())) for name in FACETS}
    facets[facet_field("kind")] = [document.kind]

    suggest_keys = [
        folded_title,
        folded_title.replace(" ", ""),
        folded_reading.replace(" ", ""),
        "".join(romaji),
    ]
    return {
        "kind": document.kind,
        "object_id": document.object_id,
        "access": list(document.access),
        "rank_date": document.rank_date.isoformat() if document.rank_date else None,
        **facets,
        "display": {
            "title": document.title,
            "url": document.url,
            "keywords": document.keywords,
            "body": document.body,
        },
        "title": folded_title,
        "reading": folded_reading,
        TITLE_UNIGRAMS: " ".join(title.unigrams),
        TITLE_BIGRAMS: [" ".join(run) for run in title.bigram_runs],
        READING_UNIGRAMS: " ".join(reading.unigrams),
        READING_BIGRAMS: [" ".join(run) for run in reading.bigram_runs],
        HEAD_WORDS: " ".join(title.words + reading.words),
        REST_UNIGRAMS: " ".join(keywords.unigrams + body.unigrams),
        REST_BIGRAMS: [" ".join(run) for run in keywords.bigram_runs + body.bigram_runs],
        REST_WORDS: " ".join(keywords.words + body.words),
        ROMAJI: romaji,
        SUGGEST_KEYS: list(dict.fromkeys(key for key in suggest_keys if key)),
        TITLE_EXACT: document.title,
        TITLE_LENGTH: len(document.title),
    }
