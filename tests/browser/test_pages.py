"""The foundation's pages in a real browser: language, text size, card sign-in, my page, the
staff's counter work, and an axe-core check of each page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from campus_social.identity.models import Card, Resident
from tests.browser.signing_in import sign_in
from tests.factories import CardFactory, DistrictFactory, ResidentFactory, make_city_staff

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

STAFF_CARD = "STAFFCARD001"
STAFF_PIN = "1357"


@pytest.fixture
def staff(transactional_db) -> Resident:
    staff = make_city_staff(name="市役所 職員", given_name="職員", language="en")
    CardFactory(resident=staff, card_id=STAFF_CARD, pin=STAFF_PIN)
    return staff


def root_font_size(page: Page) -> float:
    size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    return float(size.removesuffix("px"))


# --- Language and text size -----------------------------------------------------------------


def test_landing_page_is_japanese_by_default_and_english_is_one_click_away(
    page: Page, site, settings
):
    settings.LANGUAGE_CODE = "ja"
    page.goto(site)
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn together in our town")
    page.get_by_role("button", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def test_the_large_text_toggle_makes_the_page_bigger_and_back(page: Page, site):
    page.goto(f"{site}/login/")
    normal = root_font_size(page)

    page.get_by_role("button", name="Larger text").click()

    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    expect(page).to_have_url(f"{site}/login/")
    assert 1.25 <= root_font_size(page) / normal <= 1.5
    page.get_by_role("button", name="Normal text size").click()
    assert root_font_size(page) == normal


def test_the_skip_link_is_the_first_stop_and_leads_to_the_main_content(page: Page, site):
    page.goto(site)

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to the main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/#main")


# --- Signing in -----------------------------------------------------------------------------


def test_signing_in_with_card_and_pin_lands_on_my_page(page: Page, site, resident):
    sign_in(page, site)

    expect(page).to_have_url(f"{site}/me/")
    expect(page.get_by_role("heading", name="My page")).to_be_visible()
    expect(page.get_by_text("Hello, 山田 花子.")).to_be_visible()


def test_three_wrong_pins_lock_the_card(page: Page, site, resident):
    sign_in(page, site, pin="1111")
    expect(page.get_by_role("alert")).to_contain_text("2 more wrong PINs will lock the card")
    expect(page.get_by_label("Card number")).to_have_value("CARD12345678")
    expect(page.get_by_label("PIN (4 digits)")).to_have_value("")

    page.get_by_label("PIN (4 digits)").fill("1111")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("1 more wrong PIN will lock the card")
    page.get_by_label("PIN (4 digits)").fill("1111")
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("This card is locked after three wrong PINs")
    sign_in(page, site)
    expect(page.get_by_role("alert")).to_contain_text("This card is locked")


def test_signing_in_with_another_card_on_a_signed_in_browser_replaces_the_resident(
    page: Page, site, resident, staff
):
    sign_in(page, site)
    expect(page.get_by_text("Hello, 山田 花子.")).to_be_visible()

    page.goto(f"{site}/login/")
    expect(page.get_by_text("You are signed in as 山田 花子.")).to_be_visible()
    sign_in(page, site, card_id=STAFF_CARD, pin=STAFF_PIN)

    expect(page).to_have_url(f"{site}/me/")
    expect(page.get_by_text("Hello, 市役所 職員.")).to_be_visible()
    sessions = page.get_by_role("region", name="Where you are signed in").get_by_role("listitem")
    expect(sessions).to_have_count(1)
    assert not resident.sessions.exists()


def test_my_page_lists_the_sessions_ends_another_one_and_signs_out(
    page: Page, browser: Browser, site, resident
):
    other_context = browser.new_context()
    other_page = other_context.new_page()
    sign_in(other_page, site)
    sign_in(page, site)

    sessions = page.get_by_role("region", name="Where you are signed in").get_by_role("listitem")
    expect(sessions).to_have_count(2)
    expect(page.get_by_text("This device", exact=True)).to_have_count(1)

    page.get_by_role("button", name=re.compile(r"^End")).click()

    expect(page.get_by_role("status")).to_contain_text("That session has ended")
    expect(sessions).to_have_count(1)
    other_page.goto(f"{site}/me/")
    expect(other_page).to_have_url(re.compile(r"/login/\?next=/me/$"))
    other_context.close()

    page.get_by_role("button", name="Sign out of this device").click()

    expect(page).to_have_url(f"{site}/")
    expect(page.get_by_role("status")).to_contain_text("You have signed out")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


# --- City staff -----------------------------------------------------------------------------


def test_a_staff_member_registers_a_resident_at_the_counter(page: Page, site, staff):
    DistrictFactory(slug="kita", name="北地区")
    sign_in(page, site, card_id=STAFF_CARD, pin=STAFF_PIN)
    page.get_by_role("link", name="City staff").click()
    page.get_by_role("link", name="Register a resident and their card").click()

    page.get_by_label("Full name").fill("鈴木 一郎")
    page.get_by_label("Reading of the name (kana)").fill("すずき いちろう")
    page.get_by_label("Birth date").fill("1950-04-01")
    page.get_by_label("Card number").first.fill("NEWCARD00001")
    page.get_by_label("PIN (4 digits)").fill("4321")
    page.get_by_label("Home district").select_option("kita")
    page.get_by_role("button", name="Register", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("鈴木 一郎")
    expect(page.get_by_role("status")).to_contain_text("鈴木 一郎 is registered")
    expect(page.get_by_text("北地区")).to_be_visible()
    assert Resident.objects.filter(name="鈴木 一郎", district__slug="kita").exists()


def test_a_staff_member_unlocks_a_locked_card(page: Page, site, staff):
    locked = CardFactory(
        card_id="LOCKED000001", pin="1111", resident=ResidentFactory(name="佐藤 次郎")
    )
    Card.objects.filter(pk=locked.pk).update(failed_pin_attempts=3, locked_at=timezone.now())
    sign_in(page, site, card_id=STAFF_CARD, pin=STAFF_PIN)
    page.goto(f"{site}/staff/")

    page.get_by_label("Name or reading").fill("佐藤")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="佐藤 次郎").click()
    expect(page.get_by_text("Locked", exact=True)).to_be_visible()
    page.get_by_role("button", name="Unlock the card").click()

    expect(page.get_by_role("status")).to_contain_text("The card is unlocked")
    expect(page.get_by_text("In use", exact=True)).to_be_visible()
    locked.refresh_from_db()
    assert not locked.is_locked


# --- Accessibility (axe-core) ---------------------------------------------------------------


def test_public_pages_pass_axe(page: Page, site, resident, assert_accessible):
    page.goto(site)
    assert_accessible(page)
    page.get_by_role("button", name="Larger text").click()
    assert_accessible(page)

    page.goto(f"{site}/login/")
    assert_accessible(page)
    sign_in(page, site, pin="0000")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Card number").fill("")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#id_card_id_error")).to_be_visible()
    assert_accessible(page)


def test_my_page_passes_axe(page: Page, site, resident, assert_accessible):
    sign_in(page, site)
    expect(page).to_have_url(f"{site}/me/")

    assert_accessible(page)


def test_staff_pages_pass_axe(page: Page, site, staff, resident, assert_accessible):
    sign_in(page, site, card_id=STAFF_CARD, pin=STAFF_PIN)
    page.goto(f"{site}/staff/?q=山田")
    expect(page.get_by_role("link", name="山田 花子")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{site}/staff/residents/new/")
    assert_accessible(page)
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{site}/staff/residents/{resident.pk}/")
    assert_accessible(page)
    vetting = page.get_by_role("region", name="Vetting for work with children")
    today = timezone.localdate()
    vetting.get_by_label("Checked on").fill(today.isoformat())
    vetting.get_by_label("Valid until").fill(today.replace(year=today.year + 3).isoformat())
    vetting.get_by_role("button", name="Record the check").click()
    expect(page.get_by_role("status")).to_contain_text("The vetting is recorded.")
    expect(page.get_by_role("region", name="Vetting for work with children")).to_contain_text(
        "Current"
    )
    assert_accessible(page)
    page.goto(f"{site}/staff/devices/")
    assert_accessible(page)
    page.goto(f"{site}/staff/audit/")
    assert_accessible(page)
