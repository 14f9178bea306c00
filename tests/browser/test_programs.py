"""The participants' program pages in a real browser: a guardian consents (no photos), signs the
child up, sees it on their page and withdraws; a senior saves an offer and accepts an
invitation; a child signs in, sees the program page and writes a reflection — with an axe-core
check of each page on the way.  With ``SCREENSHOT_DIR`` set, the pages are kept as screenshots
at 1280 and 390 px wide, in English and Japanese."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from communities import services
from communities.models import ProgramConsent, ProgramVolunteer, SessionReflection
from tests.browser.signing_in import sign_in
from tests.communities.program_builders import consented_child, running_program
from tests.factories import (
    CardFactory,
    ChildFactory,
    GuardianLinkFactory,
    SeniorFactory,
    VettingRecordFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SENIOR_CARD, SENIOR_PIN = "SENIORCARD01", "6565"
CHILD_CARD, CHILD_PIN = "CHILDCARD001", "1212"
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _keep(page: Page, name: str) -> None:
    """A full-page screenshot at each width (and the phone's fitting checked), when asked."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    size = page.viewport_size
    for language, switch in (("en", "日本語"), ("ja", "English")):
        for label, viewport in (("wide", WIDE), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.screenshot(path=f"{folder}/{name}-{language}-{label}.png", full_page=True)
            if label == "phone":
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("button", name=switch, exact=True).click()  # the header's language
    if size:
        page.set_viewport_size(size)


def test_a_guardian_consents_without_photos_signs_up_and_withdraws(
    page: Page, site, resident, assert_accessible
):
    running = running_program()
    link = GuardianLinkFactory(guardian=resident, child=ChildFactory(given_name="陽葵"))
    sign_in(page, site)

    page.get_by_role("link", name="My page").click()
    page.get_by_role("link", name="Programs", exact=True).click()
    expect(page.get_by_role("heading", name="Programs with schools", level=1)).to_be_visible()
    assert_accessible(page)
    _keep(page, "programs-list")

    page.get_by_role("link", name="むかしあそびの会").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("むかしあそびの会")
    assert_accessible(page)
    _keep(page, "program-guardian")

    page.get_by_role("link", name="Give consent for my child").click()
    expect(page.get_by_role("heading", name="What is recorded")).to_be_visible()
    expect(page.get_by_text("Attendance at each session")).to_be_visible()
    assert_accessible(page)
    _keep(page, "consent")
    page.get_by_label("陽葵").check()
    page.get_by_label("No photos of my child").check()
    page.get_by_label("Sign my child up for the program now").check()
    page.get_by_role("button", name="I consent").click()

    expect(page.get_by_role("status").first).to_contain_text("your child is signed up")
    expect(page.get_by_role("heading", name="My children's programs", level=1)).to_be_visible()
    card = page.get_by_role("listitem").filter(has_text="むかしあそびの会")
    expect(card).to_contain_text("Not allowed")
    assert_accessible(page)
    _keep(page, "my-children")
    consent = ProgramConsent.objects.get(child=link.child)
    assert consent.photos_allowed is False

    card.get_by_role("button", name="Withdraw consent").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Consent is withdrawn, with effect now"
    )
    expect(page.get_by_role("listitem").filter(has_text="むかしあそびの会")).to_contain_text(
        "Withdrawn on"
    )
    assert_accessible(page)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert running.program.children.filter(left_at__isnull=True).count() == 0


def test_a_senior_saves_an_offer_and_accepts_an_invitation(page: Page, site, assert_accessible):
    senior = SeniorFactory(name="鈴木 正雄", language="en")
    CardFactory(resident=senior, card_id=SENIOR_CARD, pin=SENIOR_PIN)
    VettingRecordFactory(resident=senior)
    running = running_program()
    sign_in(page, site, SENIOR_CARD, SENIOR_PIN)

    page.get_by_role("link", name="My page").click()
    page.get_by_role("link", name="My volunteering").click()
    expect(page.get_by_role("heading", name="My volunteering", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What I can share").fill("Kendama and koma, and the old post town's story.")
    page.get_by_label("History").check()
    page.get_by_label("Tuesday, Afternoon").check()
    page.get_by_role("button", name="Save my offer").click()

    expect(page.get_by_role("status").first).to_contain_text("Your offer is saved.")
    expect(page.get_by_label("Tuesday, Afternoon")).to_be_checked()
    assert_accessible(page)
    _keep(page, "volunteering")

    services.volunteer_invite(
        actor=running.coordinator, program_id=running.program.pk, resident_id=senior.pk
    )
    page.reload()
    invitations = page.get_by_role("region", name="Invitations")
    invitations.get_by_role("link", name="むかしあそびの会").click()
    expect(page.get_by_role("heading", name="Your invitation to volunteer")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Accept the invitation").click()

    expect(page.get_by_role("status").first).to_contain_text("You take part in this program now.")
    expect(page.get_by_text("You volunteer in this program.")).to_be_visible()
    assert_accessible(page)
    _keep(page, "program-volunteer")
    assert ProgramVolunteer.objects.get(resident=senior).status == "accepted"


def test_a_child_sees_the_program_and_writes_a_reflection(page: Page, site, assert_accessible):
    running = running_program()
    link = consented_child(running)
    child = link.child
    child.given_name = "蓮"
    child.language = "en"
    child.save()
    CardFactory(resident=child, card_id=CHILD_CARD, pin=CHILD_PIN)
    running.session.starts_at = timezone.now() - timedelta(hours=3)
    running.session.ends_at = timezone.now() - timedelta(hours=1)
    running.session.save()
    sign_in(page, site, CHILD_CARD, CHILD_PIN)

    page.goto(f"{site}/programs/")
    page.get_by_role("link", name="むかしあそびの会").click()
    expect(page.get_by_role("heading", name="What we do")).to_be_visible()
    expect(page.locator("h1 rt")).to_have_text("むかしあそびのかい")
    assert_accessible(page)
    _keep(page, "program-child")

    page.get_by_role("region", name="When we meet").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Write your words")).to_be_visible()
    box = page.get_by_label("What did you do? How was it?")
    expect(box).to_have_attribute("maxlength", "200")
    assert_accessible(page)
    box.fill("こまが まわせた！")
    page.get_by_role("button", name="Save my words").click()

    expect(page.get_by_role("status").first).to_contain_text("Your words are saved.")
    expect(page.get_by_role("region", name="Everyone's words")).to_contain_text("こまが まわせた！")
    assert_accessible(page)
    _keep(page, "session-child")
    assert SessionReflection.objects.get(author=child).text == "こまが まわせた！"
