"""What only the database backend does: its full-text table stays in step with its entries, ids
keep the ranking order, queries are written safely for FTS5 and tsquery, and a search costs the
same few queries however many documents match."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from campus_social.identity.models import Resident
from campus_social.search.backends.database import (
    DATE_BUCKET_MAX,
    NO_DATE_BUCKET,
    TEXT,
    AllOf,
    DatabaseBackend,
    Token,
    _Postgres,
    _Sqlite,
    date_bucket,
    document_terms,
    filter_expr,
    terms_expr,
)
from campus_social.search.documents import PUBLIC, SearchDocument, SearchQuery
from campus_social.search.models import SearchEntry, SearchFacet
from campus_social.search.normalize import parse_query

pytestmark = pytest.mark.django_db

START = datetime(2027, 4, 1, 10, 0, tzinfo=UTC)


def doc(object_id: int, title: str, **fields) -> SearchDocument:
    return SearchDocument(kind="offering", object_id=object_id, title=title, url="/", **fields)


def fulltext_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_fulltext")
        return cursor.fetchone()[0]


def test_the_fulltext_table_follows_the_entries_through_index_remove_and_rebuild():
    backend = DatabaseBackend()

    backend.index([doc(1, "書道", facets={"free": ("yes",)}), doc(2, "陶芸")])
    backend.index([doc(1, "書道教室", facets={"free": ("no",)})])
    assert (SearchEntry.objects.count(), fulltext_rows()) == (2, 2)
    assert set(SearchFacet.objects.values_list("entry_id", "name", "value")) == {
        (SearchEntry.objects.get(object_id=1).id, "kind", "offering"),
        (SearchEntry.objects.get(object_id=1).id, "free", "no"),
        (SearchEntry.objects.get(object_id=2).id, "kind", "offering"),
    }

    backend.remove("offering", [1])
    assert (SearchEntry.objects.count(), fulltext_rows(), SearchFacet.objects.count()) == (1, 1, 1)

    backend.rebuild([doc(n, f"英会話 {n}") for n in range(5)])
    assert (SearchEntry.objects.count(), fulltext_rows(), SearchFacet.objects.count()) == (5, 5, 5)


def test_ids_follow_the_rank_date_soonest_first_and_undated_last():
    backend = DatabaseBackend()
    backend.index([doc(1, "C", rank_date=START + timedelta(days=2)), doc(2, "D")])
    backend.index([doc(3, "A", rank_date=START), doc(4, "B", rank_date=START)])

    ordered = list(SearchEntry.objects.order_by("id").values_list("title", flat=True))

    assert ordered == ["A", "B", "C", "D"]


def test_a_document_indexed_again_with_a_new_date_moves_in_the_order():
    backend = DatabaseBackend()
    backend.index([doc(1, "A", rank_date=START), doc(2, "B", rank_date=START + timedelta(days=1))])

    backend.index([doc(1, "A", rank_date=START + timedelta(days=5))])

    assert list(SearchEntry.objects.order_by("id").values_list("title", flat=True)) == ["B", "A"]


def test_dates_out_of_range_are_clamped_into_the_id():
    assert date_bucket(None) == NO_DATE_BUCKET
    assert date_bucket(datetime(1900, 1, 1, tzinfo=UTC)) == 0
    assert date_bucket(datetime(9999, 1, 1, tzinfo=UTC)) == DATE_BUCKET_MAX - 1


def test_bigram_runs_are_kept_apart_in_the_index():
    terms = document_terms(doc(1, "生涯学習 講座", reading="しょうがいがくしゅうこうざ"))

    assert _Sqlite()._text(terms).split(" ¦ ")[1:3] == ["h生涯 h涯学 h学習", "h講座"]
    vector = _Postgres()._tsvector(terms, ("head",)).split()
    for lexeme in [
        "'h生涯':3",
        "'h涯学':4",
        "'h学習':5",
        "'h生涯学':3",
        "'h生涯学習':3",
        "'h講座':7",
    ]:
        assert lexeme in vector
    assert "'h習講'" not in " ".join(vector)


def test_queries_are_written_with_every_token_quoted():
    expr = terms_expr(parse_query("生涯学習 cooking").terms, TEXT)

    assert _Sqlite().write(expr) == (
        '((("h生涯" + "h涯学" + "h学習" OR "r生涯" + "r涯学" + "r学習")'
        ' OR "yしょ" + "yょう" + "yうが" + "yがい" + "yいが" + "yがく" + "yくし" + "yしゅ" + "yゅう")'
        ' AND (("hcook" * OR "rcook" *) OR "mcoking" *))'
    )
    # PostgreSQL holds grams of up to four characters: longer text is a phrase of them.
    assert _Postgres().write(expr) == (
        "((('h生涯学習' | 'r生涯学習') | ('yしょうが' <-> 'yょうがい' <-> 'yうがいが'"
        " <-> 'yがいがく' <-> 'yいがくし' <-> 'yがくしゅ' <-> 'yくしゅう'))"
        " & (('hcook':* | 'rcook':*) | 'mcoking':*))"
    )


def test_on_postgresql_each_part_of_a_query_asks_one_column_with_the_viewers_tags():
    query = SearchQuery(text="書道 cook", access=frozenset({PUBLIC}), kinds=("circle",))
    terms = parse_query(query.text).terms
    tags = "((('ta7075626c6963') & ('tk636972636c65')))"

    sql, params = _Postgres().select(AllOf((terms_expr(terms, TEXT), filter_expr(query))))

    assert sql == (
        "SELECT id FROM search_fulltext WHERE (((((head @@ %s::tsquery OR rest @@ %s::tsquery)"
        " OR head @@ %s::tsquery) AND ((head @@ %s::tsquery OR rest @@ %s::tsquery)"
        " OR head @@ %s::tsquery))))"
    )
    assert params == [
        f"'h書道' & {tags}",
        f"'r書道' & {tags}",
        f"'yしょどう' & {tags}",
        f"'hcook':* & {tags}",
        f"'rcook':* & {tags}",
        f"'mcok':* & {tags}",
    ]


def test_quotes_and_backslashes_in_a_token_cannot_end_it():
    token = Token(("tags",), "a\"b'c\\d")

    assert _Sqlite().write(token) == '"ta""b\'c\\d"'
    assert _Postgres().write(token) == "'ta\"b''c\\\\d'"


def test_a_very_long_description_is_indexed_and_found_at_its_end():
    backend = DatabaseBackend()
    body = "講座の説明です。" * 3000 + "最後に茶話会"

    backend.index([doc(1, "長い講座", body=body)])
    results = backend.search(SearchQuery(text="茶話会", access=frozenset({PUBLIC})))

    # PostgreSQL keeps positions up to 16383 only: a phrase past them is not found there.
    expected = 0 if connection.vendor == "postgresql" else 1
    assert results.total == expected


@pytest.mark.parametrize("matching", [3, 15])
def test_a_search_costs_the_same_queries_however_many_match(django_assert_num_queries, matching):
    backend = DatabaseBackend()
    backend.index(
        [doc(n, f"英会話 {n}", body="本文", rank_date=START) for n in range(matching)]
        + [doc(100 + n, "講座", body="英会話", rank_date=START) for n in range(matching)]
    )
    query = SearchQuery(text="英会話", access=frozenset({PUBLIC}), page_size=20)

    # The count and facets, the page's title matches, its other matches, and their entries;
    # on PostgreSQL the planner's settings are also changed and put back (in the test's
    # transaction), and the matches estimated to choose the count's plan, which is then undone.
    with django_assert_num_queries(4 if connection.vendor == "sqlite" else 9):
        results = backend.search(query)

    assert len(results.hits) == min(20, 2 * matching)


def test_operators_can_look_at_the_index_in_the_admin_but_not_change_it(settings):
    settings.LANGUAGE_CODE = "en"
    DatabaseBackend().index([doc(1, "書道教室", reading="しょどうきょうしつ")])
    entry = SearchEntry.objects.get()
    client = Client()
    client.force_login(
        Resident.objects.create_superuser(
            "operator", "a-long-operator-passphrase", name="運用 担当", given_name="担当"
        )
    )

    listing = client.get(reverse("admin:search_searchentry_changelist"))
    page = client.get(reverse("admin:search_searchentry_change", args=[entry.pk]))

    assert listing.status_code == 200
    assert "書道教室" in listing.content.decode()
    assert page.status_code == 200
    assert (
        client.post(reverse("admin:search_searchentry_delete", args=[entry.pk])).status_code == 403
    )


@pytest.mark.parametrize("title_matches_at", ["first", "after the counted matches"])
def test_past_the_count_cap_title_matches_still_come_first_on_every_page(
    monkeypatch, title_matches_at
):
    monkeypatch.setattr("campus_social.search.backends.database.COUNT_CAP", 10)
    backend = DatabaseBackend()
    # Thirty description matches, soonest first; two title matches either before them all or
    # after the first ten (the ones a capped search counts).
    title_day = -1 if title_matches_at == "first" else 20
    bodies = [
        doc(n, f"講座 {n}", body="英会話", rank_date=START + timedelta(days=n)) for n in range(30)
    ]
    titles = [
        doc(100 + n, f"英会話 {n}", rank_date=START + timedelta(days=title_day, hours=n))
        for n in range(2)
    ]
    backend.index(bodies + titles)

    pages = [
        backend.search(
            SearchQuery(text="英会話", access=frozenset({PUBLIC}), page=page, page_size=5)
        )
        for page in range(1, 8)
    ]

    assert all(page.total == 10 and page.total_capped for page in pages)
    shown = [hit.title for page in pages for hit in page.hits]
    assert shown == ["英会話 0", "英会話 1"] + [f"講座 {n}" for n in range(30)]
