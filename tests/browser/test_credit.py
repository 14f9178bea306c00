"""A resident's university credit in a real browser: reads the catalogue, opens an application,
reads exactly the record that would be shared, consents, applies and withdraws; a second
application, approved, shows as credit against the cap with its downloads — with an axe-core
check of each page.  With ``SCREENSHOT_DIR`` set, the pages are kept as screenshots at 1280 and
390 px wide, in English and Japanese."""

import os

import pytest
from playwright.sync_api import Page, expect

from consortium import services
from consortium.models import CreditApplication
from tests.browser.signing_in import sign_in
from tests.consortium.builders import agreement, apply, completed, ended_offering, university

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

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


def test_a_resident_reads_the_catalogue_applies_with_consent_and_withdraws(
    page: Page, site, resident, assert_accessible
):
    from tests.consortium.builders import registrar

    minato = university()
    kita = university("kita-u", "北大学")
    offering = ended_offering()
    completed(offering, resident)
    agreement(minato, offering)
    kita_clerk = registrar(kita)
    agreement(kita, offering, by=kita_clerk, subject_code="COM200", subject_name="地域協働論")
    title = offering.course.title

    page.goto(f"{site}/consortium/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "University credit for town-campus courses"
    )
    expect(page.get_by_role("heading", name="みなと大学")).to_be_visible()
    expect(page.get_by_text("地域学入門")).to_be_visible()
    assert_accessible(page)
    _keep(page, "credit-catalogue")

    sign_in(page, site)
    page.get_by_role("link", name="My page").click()
    page.get_by_role("link", name="My credit").click()
    expect(page.get_by_role("heading", name="My credit", level=1)).to_be_visible()
    assert_accessible(page)
    _keep(page, "my-credit-empty")

    page.get_by_role("link", name=f"Apply for {title} to みなと大学").click()
    expect(page.get_by_role("heading", name="What みなと大学 will see")).to_be_visible()
    record = page.locator("#shared-record")
    expect(record).to_contain_text("山田 花子")
    expect(record).to_contain_text(title)
    expect(record).to_contain_text("LOC101")
    assert_accessible(page)
    _keep(page, "credit-apply")

    page.get_by_role("button", name="Apply").click()  # without the tick
    expect(page.locator(".error-summary")).to_contain_text("Tick that you agree")
    assert_accessible(page)
    assert not CreditApplication.objects.exists()

    page.get_by_label("I agree to share exactly this record with みなと大学.").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Your application is sent to みなと大学")).to_be_visible()
    expect(page.get_by_text("Waiting for the registrar")).to_be_visible()
    assert_accessible(page)
    _keep(page, "my-credit-pending")

    page.get_by_role("button", name=f"Withdraw the application for {title} to みなと大学").click()
    expect(page.get_by_text("Your application is withdrawn")).to_be_visible()
    expect(page.get_by_text("Consent withdrawn")).to_be_visible()
    assert CreditApplication.objects.get().status == "withdrawn"

    # A second application, at 北大学, approved by its registrar.
    second = apply(resident, offering, kita)
    services.credit_decide(actor=kita_clerk, application_id=second.pk, approve=True, grade="S")
    page.reload()
    expect(page.get_by_text("1 of at most 60 credits")).to_be_visible()
    expect(page.get_by_text("Approved", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Download my whole record (CLR)")).to_be_visible()
    expect(page.get_by_role("link", name="Download the credential for 地域協働論")).to_be_visible()
    assert_accessible(page)
    _keep(page, "my-credit-approved")


def test_a_refusal_reads_plainly(page: Page, site, resident, assert_accessible):
    minato = university()
    offering = ended_offering()
    agreement(minato, offering)
    sign_in(page, site)
    page.goto(f"{site}/me/credit/apply/?offering={offering.pk}&university={minato.pk}")
    expect(page.locator(".error-summary")).to_contain_text(
        "You can apply for credit only for an offering you completed."
    )
    assert_accessible(page)
    _keep(page, "credit-apply-refused")
