"""What every search backend answers, run against each available one (``search_backend``):
documents are indexed directly, as the apps describe them, and searched as residents type."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from campus_social.search.backends import SearchBackend
from campus_social.search.documents import (
    COUNT_CAP,
    PUBLIC,
    SearchDocument,
    SearchQuery,
    SearchResults,
)

EVERYONE = frozenset({PUBLIC})
START = datetime(2027, 4, 1, 10, 0, tzinfo=UTC)


def doc(object_id: int, title: str, *, kind: str = "offering", **fields: object) -> SearchDocument:
    return SearchDocument(
        kind=kind,
        object_id=object_id,
        title=title,
        url=f"/{kind}s/{object_id}/",
        **fields,
    )


def ask(
    backend: SearchBackend,
    text: str,
    *,
    access: frozenset[str] = EVERYONE,
    kinds: tuple[str, ...] = (),
    filters: dict[str, str] | None = None,
    page: int = 1,
    page_size: int = 20,
) -> SearchResults:
    return backend.search(
        SearchQuery(
            text=text,
            access=access,
            kinds=kinds,
            filters=filters or {},
            page=page,
            page_size=page_size,
        )
    )


def titles(backend: SearchBackend, text: str, **options: object) -> list[str]:
    return [hit.title for hit in ask(backend, text, **options).hits]


# --- Japanese, as residents type it ---------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "書道",
        "しょどう",
        "ショドウ",
        "shodou",
        "shodo",
        "SHODOU",
        "ｼｮﾄﾞｳ",
    ],
)
def test_a_kanji_title_is_found_by_its_kanji_its_kana_reading_and_its_romaji(search_backend, typed):
    search_backend.index(
        [
            doc(1, "書道", reading="しょどう"),
            doc(2, "料理教室", reading="りょうりきょうしつ"),
        ]
    )

    assert titles(search_backend, typed) == ["書道"]


@pytest.mark.parametrize("typed", ["書道", "しょどう", "shodo", "kyoushitsu", "kyoshitsu"])
def test_a_compound_title_is_found_by_each_word_of_its_reading(search_backend, typed):
    search_backend.index([doc(1, "書道教室", reading="しょどうきょうしつ"), doc(2, "陶芸")])

    assert titles(search_backend, typed) == ["書道教室"]


def test_one_and_two_character_queries_find_text_inside_longer_words(search_backend):
    search_backend.index(
        [
            doc(1, "生涯学習講座"),
            doc(2, "書道", reading="しょどう"),
            doc(3, "学校の習字"),  # 学 and 習, but never side by side
        ]
    )

    assert titles(search_backend, "学習") == ["生涯学習講座"]
    assert titles(search_backend, "書") == ["書道"]
    assert sorted(titles(search_backend, "学")) == ["学校の習字", "生涯学習講座"]


def test_a_phrase_does_not_match_across_two_separate_runs_of_text(search_backend):
    search_backend.index([doc(1, "学習", body="生涯 学習"), doc(2, "講座", body="生涯、学習")])

    assert titles(search_backend, "涯学") == []


def test_full_width_half_width_and_katakana_match_each_other(search_backend):
    search_backend.index(
        [
            doc(1, "Scratchでプログラミング"),
            doc(2, "スマホ教室"),
            doc(3, "料理教室", reading="りょうりきょうしつ"),
        ]
    )

    assert titles(search_backend, "ＳＣＲＡＴＣＨ") == ["Scratchでプログラミング"]
    assert titles(search_backend, "ｽﾏﾎ") == ["スマホ教室"]
    assert titles(search_backend, "すまほ") == ["スマホ教室"]
    assert titles(search_backend, "リョウリ") == ["料理教室"]


@pytest.mark.parametrize("typed", ["こども 書道", "書道 こども", "書道　こども", "こども書道"])
def test_two_words_find_what_has_both_in_either_order(search_backend, typed):
    search_backend.index(
        [
            doc(1, "こども書道教室", reading="こどもしょどうきょうしつ"),
            doc(2, "大人の書道", reading="おとなのしょどう"),
            doc(3, "こども料理教室", reading="こどもりょうりきょうしつ"),
        ]
    )

    assert titles(search_backend, typed) == ["こども書道教室"]


def test_words_of_the_description_are_found(search_backend):
    search_backend.index(
        [
            doc(1, "シニアのための教室", body="スマートフォンの使い方を基本から学びます。"),
            doc(2, "親子で楽しむ", body="地域の料理教室で旬の野菜を使います。"),
            doc(3, "散策", body="スマートな料理"),
        ]
    )

    assert titles(search_backend, "スマートフォン") == ["シニアのための教室"]
    assert titles(search_backend, "料理教室") == ["親子で楽しむ"]


def test_a_kanji_query_finds_a_name_written_in_kana_through_its_reading(search_backend):
    search_backend.index(
        [
            doc(1, "東山さんぽの会", kind="circle", reading="ひがしやまさんぽのかい"),
            doc(2, "東山ランニング", kind="circle", reading="ひがしやまらんにんぐ"),
        ]
    )

    assert titles(search_backend, "散歩") == ["東山さんぽの会"]
    assert titles(search_backend, "サンポ") == ["東山さんぽの会"]


def test_a_single_kanji_is_not_looked_for_by_its_reading(search_backend):
    # 菜 reads な: looking for that among readings would find みなとまち and every other な.
    search_backend.index(
        [
            doc(1, "はじめての家庭菜園", reading="はじめてのかていさいえん"),
            doc(2, "港町の歴史", reading="みなとまちのれきし"),
        ]
    )

    assert titles(search_backend, "菜") == ["はじめての家庭菜園"]


# --- English ----------------------------------------------------------------------------------------


def test_english_words_match_by_their_stem(search_backend):
    search_backend.index(
        [
            doc(1, "Cooking class"),
            doc(2, "Learn to cook", body="Simple recipes."),
            doc(3, "Cookie jar painting"),
            doc(4, "Walking club"),
        ]
    )

    found = titles(search_backend, "cooking")

    # "cooking" asks for the stem "cook" and, being three letters or more, words starting with it.
    assert sorted(found) == ["Cookie jar painting", "Cooking class", "Learn to cook"]
    assert sorted(titles(search_backend, "cooked")) == [
        "Cookie jar painting",
        "Cooking class",
        "Learn to cook",
    ]
    assert titles(search_backend, "walk") == ["Walking club"]


def test_a_word_of_three_letters_or_more_also_finds_words_starting_with_it(search_backend):
    search_backend.index([doc(1, "Scratchでプログラミング"), doc(2, "Scrabble night")])

    assert sorted(titles(search_backend, "scra")) == ["Scrabble night", "Scratchでプログラミング"]
    assert titles(search_backend, "scrat") == ["Scratchでプログラミング"]


def test_a_two_letter_word_finds_that_word_only(search_backend):
    search_backend.index([doc(1, "Email basics"), doc(2, "AI入門", body="Learn what AI can do.")])

    assert titles(search_backend, "AI") == ["AI入門"]
    assert titles(search_backend, "ai") == ["AI入門"]


# --- Who may find what ------------------------------------------------------------------------------


@pytest.fixture
def private_circle(search_backend):
    search_backend.index(
        [
            doc(
                5,
                "書道サークル",
                kind="circle",
                reading="しょどうさーくる",
                body="招待制の書道の会",
                access=("circle:5",),
                facets={"district": ("kita",)},
            ),
            doc(1, "書道入門", reading="しょどうにゅうもん", facets={"district": ("minami",)}),
        ]
    )
    return search_backend


def test_a_private_document_is_invisible_without_its_key(private_circle):
    results = ask(private_circle, "書道")

    assert [hit.title for hit in results.hits] == ["書道入門"]
    assert results.total == 1
    assert results.facets["district"][0].value == "minami"
    assert [value.value for value in results.facets["district"]] == ["minami"]
    assert [value.value for value in results.facets["kind"]] == ["offering"]
    assert titles(private_circle, "") == ["書道入門"]
    assert titles(private_circle, "サークル") == []
    assert ask(private_circle, "サークル").total == 0
    assert "書道サークル" not in ask(private_circle, "サークル").suggestions
    assert "書道サークル" not in ask(private_circle, "書道 zzz").suggestions
    assert private_circle.suggest("書道", access=EVERYONE) == ["書道入門"]
    assert private_circle.suggest("しょどうさ", access=EVERYONE) == []


def test_a_private_document_is_found_with_its_key(private_circle):
    member = frozenset({PUBLIC, "circle:5"})

    assert sorted(titles(private_circle, "書道", access=member)) == ["書道サークル", "書道入門"]
    assert titles(private_circle, "サークル", access=member) == ["書道サークル"]
    assert ask(private_circle, "書道", access=member).total == 2
    assert private_circle.suggest("しょどうさ", access=member) == ["書道サークル"]


def test_a_viewer_without_keys_finds_nothing(private_circle):
    assert ask(private_circle, "書道", access=frozenset()).hits == []
    assert private_circle.suggest("書道", access=frozenset()) == []


# --- Filters, facets, kinds, pages ------------------------------------------------------------------


@pytest.fixture
def catalogue(search_backend):
    search_backend.index(
        [
            doc(1, "料理教室 和食", facets={"category": ("cooking",), "weekday": ("1", "3")}),
            doc(2, "料理教室 洋食", facets={"category": ("cooking",), "weekday": ("3",)}),
            doc(3, "書道教室", facets={"category": ("art",), "weekday": ("5",)}),
            doc(4, "料理サークル", kind="circle", facets={"category": ("cooking",)}),
        ]
    )
    return search_backend


def test_facet_counts_count_the_matches_by_each_value(catalogue):
    results = ask(catalogue, "教室")

    assert results.total == 3
    assert {v.value: v.count for v in results.facets["category"]} == {"cooking": 2, "art": 1}
    assert {v.value: v.count for v in results.facets["weekday"]} == {"1": 1, "3": 2, "5": 1}
    assert {v.value: v.count for v in results.facets["kind"]} == {"offering": 3}


def test_a_chosen_facet_value_narrows_the_matches(catalogue):
    results = ask(catalogue, "教室", filters={"category": "cooking", "weekday": "3"})

    assert sorted(hit.title for hit in results.hits) == ["料理教室 和食", "料理教室 洋食"]
    assert results.total == 2
    assert titles(catalogue, "教室", filters={"weekday": "1"}) == ["料理教室 和食"]
    assert titles(catalogue, "教室", filters={"category": "music"}) == []


def test_kinds_narrow_the_matches(catalogue):
    assert titles(catalogue, "料理", kinds=("circle",)) == ["料理サークル"]
    assert len(titles(catalogue, "料理", kinds=("circle", "offering"))) == 3
    assert titles(catalogue, "料理", filters={"kind": "circle"}) == ["料理サークル"]
    assert titles(catalogue, "料理", kinds=("lecturer",)) == []


def test_an_empty_query_lists_what_the_viewer_may_find(catalogue):
    results = ask(catalogue, "", filters={"category": "cooking"})

    assert results.total == 3
    assert {hit.title for hit in results.hits} == {"料理教室 和食", "料理教室 洋食", "料理サークル"}
    assert ask(catalogue, "   ").total == 4


def test_pages_cover_every_match_once(search_backend):
    search_backend.index(
        [doc(n, f"英会話 {n}", rank_date=START + timedelta(days=n)) for n in range(1, 46)]
    )

    pages = [ask(search_backend, "英会話", page=page, page_size=20) for page in (1, 2, 3, 4)]

    assert [len(page.hits) for page in pages] == [20, 20, 5, 0]
    assert all(page.total == 45 and not page.total_capped for page in pages)
    found = [hit.object_id for page in pages for hit in page.hits]
    assert found == list(range(1, 46))


def test_pages_run_on_from_title_matches_into_other_matches(search_backend):
    search_backend.index(
        [doc(n, f"英会話 {n}", rank_date=START + timedelta(days=n)) for n in range(1, 4)]
        + [doc(n, "講座", body="英会話", rank_date=START) for n in range(4, 8)]
    )

    pages = [ask(search_backend, "英会話", page=page, page_size=2) for page in (1, 2, 3, 4, 5)]

    assert [[hit.object_id for hit in page.hits] for page in pages] == [
        [1, 2],
        [3, 4],
        [5, 6],
        [7],
        [],
    ]


def test_counts_stop_at_the_cap(search_backend):
    search_backend.index([doc(n, f"英会話 {n}") for n in range(1, COUNT_CAP + 6)])

    results = ask(search_backend, "英会話")

    assert results.total == COUNT_CAP
    assert results.total_capped
    assert len(results.hits) == 20
    assert sum(value.count for value in results.facets["kind"]) == COUNT_CAP


# --- Ranking and highlights -----------------------------------------------------------------------


def test_title_matches_come_before_matches_elsewhere(search_backend):
    search_backend.index(
        [
            doc(1, "地域の講座", body="書道の基本を学びます", rank_date=START),
            doc(2, "書道", reading="しょどう", rank_date=START + timedelta(days=30)),
            doc(3, "一日体験", keywords="書道", rank_date=START - timedelta(days=3)),
        ]
    )

    assert titles(search_backend, "書道") == ["書道", "一日体験", "地域の講座"]


def test_equal_matches_come_soonest_first_and_undated_last(search_backend):
    search_backend.index(
        [
            doc(1, "英会話 C", rank_date=START + timedelta(days=9)),
            doc(2, "英会話 D"),
            doc(3, "英会話 A", rank_date=START),
            doc(4, "英会話 B", rank_date=START + timedelta(hours=1)),
        ]
    )

    assert titles(search_backend, "英会話") == ["英会話 A", "英会話 B", "英会話 C", "英会話 D"]
    assert titles(search_backend, "") == ["英会話 A", "英会話 B", "英会話 C", "英会話 D"]


def test_hits_mark_what_matched_in_the_title_and_a_snippet_of_the_body(search_backend):
    search_backend.index([doc(1, "こども<書道>教室", body="筆の持ち方から。<b>書道</b>は楽しい。")])

    hit = ask(search_backend, "書道").hits[0]

    assert hit.title_html == "こども&lt;<mark>書道</mark>&gt;教室"
    assert "<mark>書道</mark>" in hit.snippet_html
    assert "<b>" not in hit.snippet_html
    assert hit.url == "/offerings/1/"
    assert (hit.kind, hit.object_id) == ("offering", 1)


# --- When nothing matched, and typeahead ----------------------------------------------------------


def test_nothing_matched_suggests_the_query_without_a_word_that_found_nothing(search_backend):
    search_backend.index([doc(1, "書道教室", reading="しょどうきょうしつ")])

    results = ask(search_backend, "書道 ピアノ")

    assert results.hits == []
    assert results.total == 0
    assert "書道" in results.suggestions


def test_nothing_matched_suggests_titles_whose_reading_starts_like_the_query(search_backend):
    search_backend.index([doc(1, "書道教室", reading="しょどうきょうしつ"), doc(2, "陶芸")])

    results = ask(search_backend, "shodoukyoushitsu")

    assert results.total == 0
    assert results.suggestions == ["書道教室"]


def test_something_matched_suggests_nothing(search_backend):
    search_backend.index([doc(1, "書道教室", reading="しょどうきょうしつ")])

    assert ask(search_backend, "書道").suggestions == []


@pytest.mark.parametrize("typed", ["書", "書道", "しょ", "ショド", "sho", "shodou", "kyo"])
def test_typeahead_offers_titles_whose_title_reading_or_romaji_starts_with_the_typed_text(
    search_backend, typed
):
    search_backend.index(
        [
            doc(1, "書道教室", reading="しょどうきょうしつ"),
            doc(2, "陶芸教室", reading="とうげいきょうしつ"),
        ]
    )

    expected = ["書道教室"] if typed != "kyo" else []
    assert search_backend.suggest(typed, access=EVERYONE) == expected


def test_typeahead_offers_the_shortest_titles_first_within_the_limit_and_kinds(search_backend):
    search_backend.index(
        [
            doc(1, "英会話 初級から中級まで"),
            doc(2, "英会話"),
            doc(3, "英会話 初級"),
            doc(4, "英会話サークル", kind="circle"),
        ]
    )

    assert search_backend.suggest("英", access=EVERYONE, limit=2) == ["英会話", "英会話 初級"]
    assert search_backend.suggest("えいかいわ", access=EVERYONE) == []
    assert search_backend.suggest("英会", access=EVERYONE, kinds=("circle",)) == ["英会話サークル"]


# --- Bad input ----------------------------------------------------------------------------------------

BAD_INPUT = [
    "",
    " ",
    "あ" * 1000,
    "a" * 1000,
    "' OR 1=1 --",
    '"unbalanced',
    "NEAR(a b)",
    "*",
    "書道*",
    "a AND b OR NOT c",
    "{head}: x",
    "😀🍣",
    "書道\x00\x07\x1b[31m",
    "\\'\\\"",
    "%_%",
    "-書道",
    "^書道",
    "':* & !",
]


@pytest.mark.parametrize("typed", BAD_INPUT, ids=[f"bad{n}" for n in range(len(BAD_INPUT))])
def test_any_input_answers_without_error(search_backend, typed):
    search_backend.index([doc(1, "書道教室", reading="しょどうきょうしつ")])

    results = ask(search_backend, typed)
    suggestions = search_backend.suggest(typed, access=EVERYONE)

    assert results.total in (0, 1)
    assert isinstance(suggestions, list)


def test_query_syntax_characters_are_searched_as_plain_text(search_backend):
    search_backend.index([doc(1, "書道教室"), doc(2, "陶芸教室")])

    assert titles(search_backend, '"書道') == ["書道教室"]
    assert titles(search_backend, "書道 OR 陶芸") == []
    assert titles(search_backend, "書道*") == ["書道教室"]


def test_a_page_far_past_the_end_is_empty(search_backend):
    search_backend.index([doc(1, "書道教室")])

    results = ask(search_backend, "書道", page=10**9)

    assert results.hits == []
    assert results.total == 1


# --- Keeping the index -----------------------------------------------------------------------------


def test_indexing_a_document_again_replaces_it(search_backend):
    search_backend.index([doc(1, "書道教室"), doc(2, "陶芸教室")])

    search_backend.index([doc(1, "水彩画教室", rank_date=START)])

    assert titles(search_backend, "書道") == []
    assert titles(search_backend, "水彩") == ["水彩画教室"]
    assert ask(search_backend, "教室").total == 2


def test_removing_documents_takes_them_out(search_backend):
    search_backend.index([doc(1, "書道教室"), doc(2, "陶芸教室"), doc(2, "陶芸", kind="circle")])

    search_backend.remove("offering", [2, 99])

    assert titles(search_backend, "陶芸") == ["陶芸"]
    assert search_backend.suggest("陶", access=EVERYONE) == ["陶芸"]


def test_rebuilding_replaces_everything_and_reports_progress(search_backend):
    search_backend.index([doc(1, "書道教室")])
    progress: list[int] = []

    count = search_backend.rebuild(
        (doc(n, f"英会話 {n}") for n in range(1, 1202)), on_progress=progress.append
    )

    assert count == 1201
    assert progress[-1] == 1201
    assert titles(search_backend, "書道") == []
    assert ask(search_backend, "英会話").total == COUNT_CAP


def test_a_rebuild_that_fails_leaves_the_old_index_in_place(search_backend):
    search_backend.index([doc(1, "書道教室")])

    def failing() -> Iterator[SearchDocument]:
        yield doc(2, "陶芸教室")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        search_backend.rebuild(failing())

    assert titles(search_backend, "教室") == ["書道教室"]
