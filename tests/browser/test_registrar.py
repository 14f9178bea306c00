"""Two registrars of one university in a real browser: the first creates an agreement (after the
45-hour check refused credits that differ from the hours without a reason), approves a
resident's application with a grade, and proposes a correction of the record; the page tells
them that another registrar must decide it, and the second registrar approves it.  Each page
passes the axe-core check; with ``SCREENSHOT_DIR`` set, the pages are kept as screenshots at
desktop and phone widths, in English and Japanese."""

import os
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from campus_social.identity.models import OrganisationRole
from consortium.models import CreditAgreement, CreditRecord
from tests.browser.signing_in import sign_in
from tests.consortium.builders import apply, completed, ended_offering, university
from tests.factories import CardFactory, ResidentFactory, RoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SECOND_CARD, SECOND_PIN = "CARD87654321", "1357"


def _shoot(page: Page, name: str) -> None:
    """Keep the page at desktop and phone widths when ``SCREENSHOT_DIR`` is set; the page never
    scrolls sideways on a phone."""
    folder = os.environ.get("SCREENSHOT_DIR")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    if folder:
        page.screenshot(path=f"{folder}/{name}-phone.png", full_page=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=f"{folder}/{name}-desktop.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_two_registrars_agree_approve_and_correct(
    page: Page,
    site,
    resident,
    new_context: Callable[..., BrowserContext],
    assert_accessible,
):
    minato = university()
    RoleFactory(resident=resident, organisation=minato, role=OrganisationRole.Role.REGISTRAR)
    second = CardFactory(
        card_id=SECOND_CARD,
        pin=SECOND_PIN,
        resident=ResidentFactory(name="鈴木 次郎", language="en"),
    ).resident
    RoleFactory(resident=second, organisation=minato, role=OrganisationRole.Role.REGISTRAR)
    offering = ended_offering(hours=(30, 60))  # 90 hours: 2 credits
    learner = completed(offering, ResidentFactory(name="佐藤 一郎"))
    page.set_viewport_size(DESKTOP)
    sign_in(page, site)

    # One university: straight to its (empty) queue.
    page.goto(f"{site}/registrar/")
    expect(page.get_by_role("heading", name="Credit applications", level=1)).to_be_visible()
    expect(page.get_by_text("No applications are waiting.")).to_be_visible()
    assert_accessible(page)

    # An agreement: 3 credits for 90 hours is refused beside the reason, then given one.
    page.get_by_role("link", name="Agreements and policy").click()
    expect(page.get_by_role("heading", name="Agreements and policy", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Course").select_option(str(offering.course_id))
    page.get_by_label("Subject code").fill("LOC201")
    page.get_by_label("Subject name").fill("地域学演習")
    page.get_by_label("Credits", exact=True).fill("3")
    page.get_by_label("Grading").select_option("scale")
    page.get_by_label("Grades of the scale").fill("S, A, B, C")
    page.get_by_label("Valid from").fill("2020-04-01")
    page.get_by_role("button", name="Create the agreement").click()
    reason = page.get_by_label("Why the credits differ from the hours")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field--error")).to_contain_text("which is 2.0 credits")
    assert_accessible(page)
    _shoot(page, "registrar-agreement-refused-en")
    reason.fill("実習の課題が多いため")
    page.get_by_role("button", name="Create the agreement").click()
    expect(page.get_by_text("The agreement for 地域学演習 is saved.")).to_be_visible()
    agreements = page.get_by_role("region", name="Agreements in force")
    expect(agreements).to_contain_text("LOC201 地域学演習")
    assert CreditAgreement.objects.get().credits == 3
    assert_accessible(page)
    _shoot(page, "registrar-agreements-en")

    # The resident applies; the registrar sees the evidence and approves with a grade.
    apply(learner, offering, minato)
    page.get_by_role("link", name="Applications").click()
    card = page.get_by_role("listitem").filter(has_text="佐藤 一郎")
    expect(card).to_contain_text("2 of 2 sessions")
    expect(card).to_contain_text("0 of 60 (60 left)")
    assert_accessible(page)
    _shoot(page, "registrar-queue-en")
    card.get_by_label("Grade").select_option("A")
    card.get_by_role("button", name="Approve").click()
    expect(
        page.get_by_text("Approved: 佐藤 一郎's credit for 地域学演習 is recorded")
    ).to_be_visible()

    # The record, and a correction proposed: another registrar must decide it.
    page.get_by_role("link", name="Credit records").click()
    expect(page.get_by_role("heading", name="Credit records", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Propose a correction").click()
    record = page.get_by_role("region", name="Records in force")
    record.get_by_label("Grade").select_option("S")
    record.get_by_label("Reason for the correction").fill("採点の誤り")
    record.get_by_role("button", name="Propose the correction").click()
    expect(
        page.get_by_text("Another registrar of your university must approve it.")
    ).to_be_visible()
    expect(page.get_by_text("You proposed this correction")).to_be_visible()
    expect(page.get_by_role("button", name="Approve the correction")).to_have_count(0)
    assert_accessible(page)
    _shoot(page, "registrar-records-en")

    # The same pages in Japanese.
    page.get_by_role("button", name="日本語").click()
    expect(page.get_by_role("heading", name="単位の記録", level=1)).to_be_visible()
    _shoot(page, "registrar-records-ja")
    page.goto(f"{site}/registrar/{minato.pk}/queue/")
    expect(page.get_by_role("heading", name="単位認定の申請", level=1)).to_be_visible()
    assert_accessible(page)
    _shoot(page, "registrar-queue-ja")
    page.goto(f"{site}/registrar/{minato.pk}/agreements/")
    assert_accessible(page)
    _shoot(page, "registrar-agreements-ja")

    # The second registrar approves the correction.
    other = new_context(viewport=DESKTOP).new_page()
    sign_in(other, site, SECOND_CARD, SECOND_PIN)
    other.goto(f"{site}/registrar/{minato.pk}/records/")
    waiting = other.get_by_role("region", name="Corrections awaiting a second registrar")
    expect(waiting).to_contain_text("採点の誤り")
    assert_accessible(other)
    _shoot(other, "registrar-records-second-en")
    waiting.get_by_role("button", name="Approve the correction").click()
    expect(other.get_by_text("The correction is approved")).to_be_visible()
    expect(other.get_by_text("No corrections are waiting.")).to_be_visible()
    assert_accessible(other)
    in_force = CreditRecord.objects.filter(status="effective").order_by("-id").first()
    assert in_force is not None
    assert (in_force.grade, in_force.second_approver) == ("S", second)
