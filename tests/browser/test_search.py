"""Search in a real browser: a senior types the reading of a course in the header's box and finds
it, narrows by a facet, gets typeahead suggestions; the course catalogue finds by words; nothing
found keeps the count in sight on a phone — with an axe-core check of each page.

Screenshots of the search page and the catalogue (1280 and 390 px wide, Japanese and English, with
results and with none) are saved for people to look at: under ``$SEARCH_SHOTS`` when it is set
(``/work/shots`` …), else in the test's temporary directory."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from campus_social.search import services as search_services
from communities.models import Circle
from tests.browser.signing_in import DEFAULT_CARD, DEFAULT_PIN, sign_in
from tests.communities.factories import make_circle
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import CardFactory, DistrictFactory, SeniorFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def senior():
    card = CardFactory(
        card_id=DEFAULT_CARD,
        pin=DEFAULT_PIN,
        resident=SeniorFactory(name="田中 よし子", language="en"),
    )
    return card.resident


@pytest.fixture
def town(senior):
    east = DistrictFactory(slug="higashiyama", name="東山", name_kana="ひがしやま")
    west = DistrictFactory(slug="nishiyama", name="西山", name_kana="にしやま")
    nakamura = LecturerFactory(display_name="中村 一郎", name_kana="なかむら いちろう")
    calligraphy = OfferingFactory(
        course=CourseFactory(
            title="書道教室",
            title_kana="しょどうきょうしつ",
            description="筆の持ち方から、ゆっくり始めます。初めての方も歓迎します。",
            category="arts",
            owner=nakamura,
        ),
        district=east,
        fee_yen=500,
    )
    calligraphy.lecturers.add(nakamura)
    OfferingFactory(
        course=CourseFactory(
            title="親子の料理教室",
            title_kana="おやこのりょうりきょうしつ",
            description="Cooking for families: 旬の野菜で、親子一緒に作ります。",
            category="cooking",
            owner=LecturerFactory(
                profile="家庭料理を教えます。", skills="料理", teaching_wishes=""
            ),
        ),
        district=west,
        fee_yen=0,
    )
    make_circle(
        name="東山さんぽの会",
        name_kana="ひがしやまさんぽのかい",
        description="朝の東山をゆっくり歩きます。",
        topics=["health"],
        district_id=east.pk,
    )
    make_circle(
        name="秘密の書道会",
        name_kana="ひみつのしょどうかい",
        visibility=Circle.Visibility.INVITE_ONLY,
    )
    search_services.rebuild()
    return {"nakamura": nakamura}


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SEARCH_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _signed_in(new_context, site: str, viewport=DESKTOP) -> Page:
    page = new_context(viewport=viewport).new_page()
    sign_in(page, site)
    return page


def test_a_senior_types_the_reading_in_the_header_and_finds_the_kanji_course(
    new_context, site, town, assert_accessible
):
    page = _signed_in(new_context, site)

    header_box = page.get_by_label("Search everything")
    header_box.fill("しょどう")
    with page.expect_navigation():
        header_box.press("Enter")

    expect(page).to_have_url(f"{site}/search/?q=%E3%81%97%E3%82%87%E3%81%A9%E3%81%86")
    results = page.locator(".search-hits")
    expect(results.get_by_role("link", name="書道教室")).to_be_visible()
    expect(results).not_to_contain_text("秘密の書道会")
    assert_accessible(page)

    results.get_by_role("link", name="書道教室").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("書道教室")


def test_facets_narrow_the_results(new_context, site, town, assert_accessible):
    page = _signed_in(new_context, site)
    page.goto(f"{site}/search/?q=教室&type=offering")
    expect(page.get_by_role("heading", name="2 results")).to_be_visible()

    page.get_by_text("Narrow down: subject, place, day, fee").click()
    assert_accessible(page)
    page.get_by_role("link", name="Cooking (1)").click()

    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    expect(page.locator(".search-hits")).to_contain_text("親子の料理教室")
    expect(page.locator(".search-hits")).not_to_contain_text("書道教室")
    page.get_by_role("link", name="Subject: Cooking (remove)").click()
    expect(page.get_by_role("heading", name="2 results")).to_be_visible()


def test_typeahead_suggests_titles_while_typing(new_context, site, town):
    page = _signed_in(new_context, site)
    page.goto(f"{site}/search/")
    box = page.get_by_label("What are you looking for?")

    with page.expect_response(lambda r: "/api/v1/search/suggest/" in r.url):
        box.press_sequentially("しょど", delay=50)

    options = page.locator(f"datalist#{box.get_attribute('list')} option")
    expect(options.first).to_have_attribute("value", "書道教室")
    assert "秘密の書道会" not in [o.get_attribute("value") for o in options.all()]


def test_the_catalogue_finds_the_cooking_course_by_a_word(
    page: Page, site, town, assert_accessible
):
    page.goto(f"{site}/courses/")
    page.get_by_label("Course or lecturer").fill("料理")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).last.click()

    expect(page.get_by_role("heading", name="1 course")).to_be_visible()
    expect(page.get_by_role("link", name="親子の料理教室")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("address", "count_text"),
    [
        ("/courses/?q=存在しない講座&category=arts", "0 courses"),
        ("/circles/?q=存在しない&topic=arts", "0 circles"),
        ("/search/?q=存在しない", "0 results"),
    ],
)
def test_nothing_found_keeps_the_count_in_sight_on_a_phone(
    new_context, site, town, address, count_text, assert_accessible
):
    # Signed in: the longest menu above the page.
    page = _signed_in(new_context, site, viewport=PHONE)
    page.goto(f"{site}{address}")

    count = page.locator("#results-heading")
    expect(count).to_have_text(count_text)
    box = count.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert_accessible(page)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_screenshots_of_search_and_the_catalogue(
    new_context, site, town, settings, shots, language, assert_accessible
):
    settings.LANGUAGE_CODE = language
    addresses = {
        "search": "/search/?q=教室",
        "search-none": "/search/?q=存在しない",
        "search-narrowed": "/search/?q=教室&category=cooking",
        "catalogue": "/courses/?q=料理",
        "catalogue-none": "/courses/?q=存在しない講座",
        "catalogue-lecturer": f"/courses/?lecturer={town['nakamura'].pk}",
    }
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page = new_context(viewport=viewport).new_page()
        for name, address in addresses.items():
            page.goto(f"{site}{address}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            assert_accessible(page)
            page.screenshot(path=shots / f"{name}-{language}-{width}.png", full_page=True)
        page.close()
