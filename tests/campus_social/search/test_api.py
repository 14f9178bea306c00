"""``GET /api/v1/search/`` and ``/api/v1/search/suggest/``: what residents and visitors find,
facets in their language, every refusal in the one error shape, and nothing of an invite-only
circle for those outside it — in hits, counts, facets, suggestions or typeahead."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campus_social.search import services as search_services
from communities.models import Circle
from tests.communities.factories import make_circle
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import DistrictFactory, ResidentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/"
SUGGEST = "/api/v1/search/suggest/"


@pytest.fixture
def town():
    """Two courses, an open circle and an invite-only one, indexed as ``search_reindex`` would."""
    east = DistrictFactory(slug="higashiyama", name="東山")
    west = DistrictFactory(slug="nishiyama", name="西山")
    calligraphy = OfferingFactory(
        course=CourseFactory(
            title="書道教室",
            title_kana="しょどうきょうしつ",
            description="筆の持ち方から、ゆっくり始めます。",
            category="arts",
            owner=LecturerFactory(display_name="中村 一郎", name_kana="なかむら いちろう"),
        ),
        district=east,
        fee_yen=500,
    )
    cooking = OfferingFactory(
        course=CourseFactory(
            title="親子の料理教室",
            title_kana="おやこのりょうりきょうしつ",
            description="Cooking for families. スマートフォンでレシピを見ながら作ります。",
            category="cooking",
            owner=LecturerFactory(
                profile="家庭料理を教えます。", skills="料理", teaching_wishes=""
            ),
        ),
        district=west,
        fee_yen=0,
    )
    member = ResidentFactory(language="ja")
    walk = make_circle(
        name="東山さんぽの会", name_kana="ひがしやまさんぽのかい", district_id=east.pk
    )
    secret = make_circle(
        organiser=member,
        name="秘密の書道会",
        name_kana="ひみつのしょどうかい",
        description="書道を内輪で楽しむ会",
        visibility=Circle.Visibility.INVITE_ONLY,
        district_id=west.pk,
    )
    search_services.rebuild()
    return {
        "calligraphy": calligraphy,
        "cooking": cooking,
        "walk": walk,
        "secret": secret,
        "member": member,
    }


def _titles(body):
    return [hit["title"] for hit in body["results"]]


# --- Finding -------------------------------------------------------------------------------------


def test_a_visitor_finds_a_course_by_its_kanji_title_with_the_match_marked(client, town):
    response = client.get(URL, {"q": "書道"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {
        "count",
        "count_capped",
        "page",
        "page_size",
        "next",
        "previous",
        "results",
        "facets",
        "suggestions",
    }
    hit = next(hit for hit in body["results"] if hit["title"] == "書道教室")
    assert hit["type"] == "offering"
    assert hit["id"] == town["calligraphy"].pk
    assert hit["url"] == f"/courses/offerings/{town['calligraphy'].pk}/"
    assert "<mark>書道</mark>" in hit["title_html"]
    assert body["count_capped"] is False


@pytest.mark.parametrize("words", ["しょどう", "ショドウ", "shodou", "shodo"])
def test_the_reading_in_kana_or_romaji_finds_the_kanji_title(client, town, words):
    assert "書道教室" in _titles(client.get(URL, {"q": words}).json())


def test_words_of_the_description_and_english_words_find_the_course(client, town):
    for words in ("スマートフォン", "cooking", "料理教室"):
        body = client.get(URL, {"q": words, "type": "offering"}).json()
        assert _titles(body) == ["親子の料理教室"], words


def test_a_visitor_finds_no_circle_the_directory_is_for_residents(client, town):
    body = client.get(URL, {"q": "さんぽ"}).json()

    assert body["count"] == 0
    assert body["results"] == []


def test_a_resident_finds_a_circle_named_in_kana_by_the_kanji_word(signed_in, town):
    client = signed_in(ResidentFactory())

    body = client.get(URL, {"q": "散歩"}).json()

    assert _titles(body) == ["東山さんぽの会"]
    assert body["results"][0]["type"] == "circle"


def test_type_narrows_to_kinds_repeated_or_separated_by_commas(signed_in, town):
    client = signed_in(ResidentFactory())

    everything = client.get(URL, {"q": "東山"}).json()
    assert {hit["type"] for hit in everything["results"]} == {"offering", "circle"}
    circles = client.get(URL, {"q": "東山", "type": "circle"}).json()
    assert _titles(circles) == ["東山さんぽの会"]
    both = client.get(f"{URL}?q=東山&type=circle,offering").json()
    repeated = client.get(f"{URL}?q=東山&type=circle&type=offering").json()
    assert both["count"] == repeated["count"] == everything["count"] == 2


def test_facets_count_the_matches_in_the_viewers_language_and_narrow_them(client, town):
    body = client.get(URL, {"q": "教室", "type": "offering"}, HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["count"] == 2
    categories = {value["value"]: value for value in body["facets"]["category"]}
    assert categories["cooking"] == {"value": "cooking", "label": "Cooking", "count": 1}
    districts = {value["value"]: value["label"] for value in body["facets"]["district"]}
    assert districts == {"higashiyama": "東山", "nishiyama": "西山"}
    assert {v["value"]: v["label"] for v in body["facets"]["free"]} == {
        "yes": "Free",
        "no": "With a fee",
    }
    assert {v["value"]: v["count"] for v in body["facets"]["type"]} == {"offering": 2}

    japanese = client.get(URL, {"q": "教室"}, HTTP_ACCEPT_LANGUAGE="ja").json()
    assert {v["value"]: v["label"] for v in japanese["facets"]["category"]}["cooking"] == "料理"

    narrowed = client.get(URL, {"q": "教室", "category": "cooking"}).json()
    assert _titles(narrowed) == ["親子の料理教室"]
    assert _titles(client.get(URL, {"q": "教室", "free": "yes"}).json()) == ["親子の料理教室"]
    in_the_east = client.get(URL, {"q": "教室", "district": "higashiyama"}).json()
    assert _titles(in_the_east) == ["書道教室"]


def test_pages_link_to_each_other(client, town):
    first = client.get(URL, {"q": "教室", "type": "offering", "page_size": 1}).json()

    assert first["count"] == 2
    assert len(first["results"]) == 1
    assert first["previous"] is None
    assert "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert second["next"] is None
    assert second["previous"] is not None
    assert _titles(first) + _titles(second) in (
        ["書道教室", "親子の料理教室"],
        ["親子の料理教室", "書道教室"],
    )


def test_a_page_size_over_the_limit_gets_the_limit(client, town):
    body = client.get(URL, {"q": "教室", "page_size": 500}).json()

    assert body["page_size"] == search_services.PAGE_SIZE_MAX


# --- Invite-only circles ---------------------------------------------------------------------------


def test_an_invite_only_circle_never_shows_to_outsiders(signed_in, client, town):
    outsider = signed_in(ResidentFactory())
    for caller in (client, outsider):
        body = caller.get(URL, {"q": "書道", "page_size": 50}).json()
        assert "秘密の書道会" not in _titles(body)
        # The open circle is about calligraphy too: it is the only circle counted.
        circles = [hit["title"] for hit in body["results"] if hit["type"] == "circle"]
        assert circles in ([], ["東山さんぽの会"])
        assert body["count"] == len(body["results"])
        kinds = {v["value"]: v["count"] for v in body["facets"]["type"]}
        assert kinds.get("circle", 0) == len(circles)
        assert {v["value"] for v in body["facets"].get("district", [])} == {"higashiyama"}
        # Its own words find nothing, and nothing of it is suggested instead.
        nothing = caller.get(URL, {"q": "ひみつ"}).json()
        assert nothing["count"] == 0
        assert not any("秘密" in text for text in nothing["suggestions"])
        typed = caller.get(SUGGEST, {"q": "ひみ"}).json()
        assert typed["suggestions"] == []


def test_an_invite_only_circle_shows_to_its_members(signed_in, town):
    member = signed_in(town["member"])

    assert "秘密の書道会" in _titles(member.get(URL, {"q": "書道"}).json())
    assert "秘密の書道会" in member.get(SUGGEST, {"q": "ひみ"}).json()["suggestions"]


# --- Typeahead -----------------------------------------------------------------------------------


def test_typeahead_suggests_titles_that_start_like_what_was_typed(client, town):
    response = client.get(SUGGEST, {"q": "しょど"})

    assert response.status_code == 200
    assert "書道教室" in response.json()["suggestions"]
    assert client.get(SUGGEST, {"q": ""}).json() == {"suggestions": []}


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        pytest.param("書" * 1000, id="1000-chars"),
        pytest.param("' OR 1=1 --", id="sql"),
        pytest.param('"unbalanced', id="quote"),
        pytest.param("NEAR(a b)", id="fts-near"),
        pytest.param("*", id="star"),
        pytest.param("書道 😀", id="emoji"),
        pytest.param("書道\x00\x1b[31m", id="control"),
        pytest.param("   ", id="blank"),
    ],
)
def test_odd_input_answers_a_sensible_page_not_an_error(client, town, words):
    response = client.get(URL, {"q": words})
    typed = client.get(SUGGEST, {"q": words})

    assert response.status_code == 200
    assert typed.status_code == 200
    assert "秘密の書道会" not in _titles(response.json())


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"type": "spaceship"}, "type", id="type"),
        pytest.param({"type": "circle,spaceship"}, "type", id="type-in-list"),
        pytest.param({"category": "astrology"}, "category", id="category"),
        pytest.param({"district": "atlantis"}, "district", id="district"),
        pytest.param({"weekday": "8"}, "weekday", id="weekday"),
        pytest.param({"free": "maybe"}, "free", id="free"),
        pytest.param({"page": "0"}, "page", id="page-zero"),
        pytest.param({"page": "abc"}, "page", id="page-word"),
        pytest.param({"page_size": "-5"}, "page_size", id="page-size"),
    ],
)
def test_a_bad_filter_or_page_answers_400_naming_it(client, town, params, field):
    response = client.get(URL, {"q": "書道", **params}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]


def test_an_unknown_type_is_explained_in_japanese(client, town):
    body = client.get(URL, {"type": "spaceship"}, HTTP_ACCEPT_LANGUAGE="ja").json()

    assert body["fields"]["type"] == [
        "「spaceship」という種類は検索できません。次から選んでください："
        "circle, lecturer, offering, program。"
    ]


def test_a_page_past_the_last_answers_404(client, town):
    response = client.get(URL, {"q": "書道", "page": 5})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- The search engine down ----------------------------------------------------------------------


def test_search_answers_503_with_a_message_when_the_engine_is_down(client, search_down):
    for url in (URL, SUGGEST):
        response = client.get(url, {"q": "書道"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 503
        assert response.json() == {
            "code": "search_unavailable",
            "detail": "Search is not available at the moment. Please try again later.",
        }


def test_one_caller_is_held_to_the_search_rate(client, settings, town):
    settings.SEARCH_RATE = "3/min"
    asked = [client.get(url, {"q": "書道"}) for url in (URL, SUGGEST, URL)]
    assert [response.status_code for response in asked] == [200, 200, 200]

    for url in (URL, SUGGEST):
        refused = client.get(url, {"q": "書道"}, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert refused.json()["detail"] == (
            "Too many searches from here. Please wait a moment and try again."
        )
    # A signed-in resident is counted on their own, not with everyone at their address.
    client.force_login(town["member"])
    assert client.get(URL, {"q": "書道"}).status_code == 200


# --- Cost ----------------------------------------------------------------------------------------


def _queries_for_a_search(client, resident) -> int:
    client.force_login(resident)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "書道"})
    assert response.status_code == 200
    return len(queries)


def test_a_search_costs_the_same_queries_however_many_match(client):
    resident = ResidentFactory()
    make_circle(organiser=resident, name="書道の輪", visibility=Circle.Visibility.INVITE_ONLY)

    def offerings(count: int) -> None:
        for day in range(count):
            OfferingFactory(
                course=CourseFactory(title=f"書道 {day}"),
                sessions=[timezone.now() + timedelta(days=day + 1)],
            )
        search_services.rebuild()

    offerings(2)
    few = _queries_for_a_search(client, resident)
    offerings(18)
    many = _queries_for_a_search(client, resident)

    # Never more (one fewer when title matches alone fill the page: the body matches are not
    # asked for).
    assert many <= few, (few, many)
