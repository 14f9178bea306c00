"""The search page (``/search/``), the header's search box, and the course catalogue and circle
directory searching through ``campus_social.search``: what a resident sees, in Japanese and
English, when things match, when nothing does, and when the search engine is down."""

import re

import pytest
from django.urls import reverse

from campus_social.search import services as search_services
from communities.models import Circle
from tests.communities.factories import make_circle
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import DistrictFactory, ResidentFactory

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


def _page(response) -> str:
    """The page's HTML without the <mark> of highlighted matches (a test looks for a title
    whichever of its words matched)."""
    return re.sub(r"</?mark>", "", response.content.decode())


def _marked(response) -> str:
    return response.content.decode()


@pytest.fixture
def town():
    east = DistrictFactory(slug="higashiyama", name="東山")
    nakamura = LecturerFactory(display_name="中村 一郎", name_kana="なかむら いちろう")
    calligraphy = OfferingFactory(
        course=CourseFactory(
            title="書道教室",
            title_kana="しょどうきょうしつ",
            description="筆の持ち方から、ゆっくり始めます。",
            category="arts",
            owner=nakamura,
        ),
        district=east,
        fee_yen=500,
    )
    calligraphy.lecturers.add(nakamura)
    cooking = OfferingFactory(
        course=CourseFactory(
            title="親子の料理教室",
            title_kana="おやこのりょうりきょうしつ",
            description="Cooking for families. スマートフォンでレシピを見ます。",
            category="cooking",
            owner=LecturerFactory(
                profile="家庭料理を教えます。", skills="料理", teaching_wishes=""
            ),
        ),
        fee_yen=0,
    )
    member = ResidentFactory(language="en")
    walk = make_circle(
        name="東山さんぽの会", name_kana="ひがしやまさんぽのかい", district_id=east.pk
    )
    secret = make_circle(
        organiser=member,
        name="秘密の書道会",
        name_kana="ひみつのしょどうかい",
        visibility=Circle.Visibility.INVITE_ONLY,
    )
    search_services.rebuild()
    return {
        "calligraphy": calligraphy,
        "cooking": cooking,
        "nakamura": nakamura,
        "walk": walk,
        "secret": secret,
        "member": member,
    }


def _english(client):
    client.cookies["django_language"] = "en"
    return client


# --- The search page -------------------------------------------------------------------------------


def test_the_page_offers_a_labelled_search_box_and_no_results_before_a_search(client):
    page = _page(client.get(SEARCH))

    assert '<label for="id_q">何を探しますか？' in page
    assert 'type="search"' in page
    assert "results-heading" not in page
    # The header's own box is left out here: one search form per page.
    assert 'id="site-search-q"' not in page


def test_every_other_page_has_the_search_box_in_its_header(client):
    page = _page(client.get(reverse("frontend:landing")))

    assert 'action="/search/"' in page
    assert 'id="site-search-q"' in page
    assert "frontend/js/typeahead.js" in page


def test_hiragana_finds_the_kanji_title_marked_and_linked(client, town):
    response = _english(client).get(SEARCH, {"q": "しょどう", "type": "offering"})

    assert response.status_code == 200
    page = _page(response)
    assert "1 result" in page
    offering_url = f"/courses/offerings/{town['calligraphy'].pk}/"
    assert f'<a href="{offering_url}">書道教室</a>' in page
    assert "<mark>書道</mark>教室" in _marked(_english(client).get(SEARCH, {"q": "書道"}))


def test_the_count_reads_in_japanese(client, town):
    page = _page(client.get(SEARCH, {"q": "料理", "type": "offering"}))

    assert "1件" in page


def test_tabs_narrow_to_one_kind_and_say_which_is_shown(signed_in_page, town):
    client = _english(signed_in_page(ResidentFactory(language="en")))

    everything = _page(client.get(SEARCH, {"q": "東山"}))
    assert "東山さんぽの会" in everything
    assert "書道教室" in everything
    circles = _page(client.get(SEARCH, {"q": "東山", "type": "circle"}))
    assert "東山さんぽの会" in circles
    assert "書道教室" not in circles
    assert re.search(r'href="\?q=[^"]*type=circle" aria-current="page">Circles<', circles)
    assert re.search(r'href="\?q=[^"]*" aria-current="page">Everything<', everything)


def test_facet_links_carry_counts_and_narrow_the_results(client, town):
    client = _english(client)
    page = _page(client.get(SEARCH, {"q": "教室", "type": "offering"}))

    assert "Subject" in page
    link = re.search(
        r'href="(\?[^"]*category=cooking[^"]*)">Cooking <span class="facet__count">\(1\)', page
    )
    assert link, page
    narrowed = _page(client.get(SEARCH + link.group(1).replace("&amp;", "&")))
    assert "親子の料理教室" in narrowed
    assert "書道教室" not in narrowed
    assert "Subject: Cooking" in narrowed  # the chosen value, with a link to remove it
    assert "(remove)" in narrowed


def test_titles_are_escaped_even_when_marked(client):
    OfferingFactory(
        course=CourseFactory(title="<script>alert(1)</script>書道", title_kana="しょどう")
    )
    search_services.rebuild()

    page = _marked(client.get(SEARCH, {"q": "書道", "type": "offering"}))

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>書道</mark>" in page


def test_nothing_found_says_so_and_offers_other_words(client, town):
    page = _page(_english(client).get(SEARCH, {"q": "書道 zzzzqqq"}))

    assert "0 results" in page
    assert "Nothing matched." in page


def test_an_invite_only_circle_never_shows_to_outsiders(client, signed_in_page, town):
    outsider = signed_in_page(ResidentFactory())
    for caller in (client, outsider):
        page = _page(caller.get(SEARCH, {"q": "書道"}))
        assert "秘密の書道会" not in page
        assert "秘密" not in _page(caller.get(SEARCH, {"q": "ひみつ"}))
    member = signed_in_page(town["member"])
    assert "秘密の書道会" in _page(member.get(SEARCH, {"q": "書道"}))
    assert "秘密の書道会" in _page(member.get(SEARCH, {"q": "ひみつ"}))


def test_a_bad_kind_answers_400_not_an_error_page(client, town):
    response = client.get(SEARCH, {"q": "書道", "type": "spaceship"})

    assert response.status_code == 400
    assert "何を探しますか？" in _page(response)


@pytest.mark.parametrize(
    "words",
    [
        pytest.param("書" * 1000, id="1000-chars"),
        pytest.param("' OR 1=1 --", id="sql"),
        pytest.param('"unbalanced', id="quote"),
        pytest.param("書道 😀", id="emoji"),
        pytest.param("書道\x00\x1b", id="control"),
    ],
)
def test_odd_words_answer_a_page(client, town, words):
    assert client.get(SEARCH, {"q": words}).status_code == 200


def test_the_page_explains_when_search_is_down(client, search_down):
    response = _english(client).get(SEARCH, {"q": "書道"})

    assert response.status_code == 503
    page = _page(response)
    assert "Search is not working right now" in page
    assert "Search is not available at the moment. Please try again later." in page


def test_the_page_asks_a_caller_searching_too_fast_to_wait(client, settings):
    settings.SEARCH_RATE = "1/min"
    browser = _english(client)
    assert browser.get(SEARCH, {"q": "書道"}).status_code == 200

    response = browser.get(SEARCH, {"q": "書道"})

    assert response.status_code == 429
    page = _page(response)
    assert "Too many searches" in page
    assert "Please wait a moment and try again." in page


# --- The course catalogue --------------------------------------------------------------------------


CATALOGUE = "/courses/"


def test_the_catalogue_finds_by_title_reading_description_and_english(client, town):
    for words in ("料理", "りょうり", "リョウリ", "スマートフォン", "cooking"):
        response = client.get(CATALOGUE, {"q": words})
        assert [o.pk for o in response.context["page"]] == [town["cooking"].pk], words


def test_the_catalogue_keeps_its_filters_with_words(client, town):
    response = client.get(CATALOGUE, {"q": "教室", "free": "on"})

    assert [o.pk for o in response.context["page"]] == [town["cooking"].pk]


def test_the_catalogue_lists_a_lecturers_courses(client, town):
    response = _english(client).get(CATALOGUE, {"lecturer": town["nakamura"].pk})

    assert [o.pk for o in response.context["page"]] == [town["calligraphy"].pk]
    assert "Courses taught by 中村 一郎" in _page(response)


def test_nothing_found_shows_the_count_first_with_the_filters_closed(client, town):
    page = _page(client.get(CATALOGUE, {"q": "存在しない講座", "category": "arts"}))

    assert "0件" in page or "0 courses" in page
    assert '<details class="filters">' in page  # closed: it would push the count down
    # The count and the advice come first, above the form to try again.
    assert page.index('id="results-heading"') < page.index('<form method="get" action="/courses/"')


def test_the_audience_filter_names_everyone_once(client):
    page = _page(client.get(CATALOGUE))

    audience = page.split('name="audience"')[1].split("</select>")[0]
    assert audience.count("どなたでも") == 1
    assert "すべての対象" in audience


def test_the_catalogue_explains_when_search_is_down(client, town, search_down):
    assert client.get(CATALOGUE).status_code == 200  # no words: no search needed
    response = _english(client).get(CATALOGUE, {"q": "料理"})
    assert response.status_code == 503
    assert "Search is not working right now" in _page(response)


# --- The circle directory --------------------------------------------------------------------------


def test_the_directory_finds_a_circle_named_in_kana_by_the_kanji_word(signed_in_page, town):
    client = signed_in_page(ResidentFactory())

    response = client.get("/circles/", {"q": "散歩"})

    assert [c.pk for c in response.context["page"]] == [town["walk"].pk]


def test_the_directory_shows_an_invite_only_circle_only_to_those_in_it(signed_in_page, town):
    outsider = signed_in_page(ResidentFactory())
    member = signed_in_page(town["member"])

    assert [c.pk for c in outsider.get("/circles/", {"q": "ひみつ"}).context["page"]] == []
    assert [c.pk for c in member.get("/circles/", {"q": "ひみつ"}).context["page"]] == [
        town["secret"].pk
    ]


def test_a_page_past_the_last_shows_the_last_page(client, town):
    response = _english(client).get(SEARCH, {"q": "教室", "type": "offering", "page": 9})

    assert response.status_code == 200
    assert "2 results" in _page(response)
    assert "親子の料理教室" in _page(response)


def test_the_search_page_holds_no_inline_styles_or_scripts_that_the_csp_would_block(client, town):
    page = _marked(client.get(SEARCH, {"q": "教室", "category": "cooking"}))

    assert "style=" not in page
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)
    assert '<script src="/static/frontend/js/typeahead.js"' in page
