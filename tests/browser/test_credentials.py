"""Checking a credential in a real browser: paste, read the answer; tampered copies fail."""

import pytest
from playwright.sync_api import Page, expect

from consortium.credentials import services
from tests.consortium.credentials.conftest import make_claim, use_test_key
from tests.factories import ResidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def token(settings) -> str:
    use_test_key(settings)
    resident = ResidentFactory()
    return services.achievement_credential_issue(
        resident=resident, claim=make_claim(resident.pk), source="credit-record:5"
    ).token


def test_anyone_checks_a_credential_and_a_tampered_copy_fails(
    page: Page, site, token, assert_accessible
):
    page.goto(f"{site}/credentials/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a credential")
    assert_accessible(page)

    page.get_by_role("textbox", name="Credential").fill(token)
    page.get_by_role("button", name="Check").click()

    expect(page.get_by_role("heading", name="Genuine", exact=False)).to_be_visible()
    expect(page.get_by_text("地域史演習")).to_be_visible()
    expect(page.get_by_text("港大学")).to_be_visible()
    assert_accessible(page)

    header, payload, signature = token.split(".")
    page.get_by_role("textbox", name="Credential").fill(f"{header}.{payload[:-2]}AA.{signature}")
    page.get_by_role("button", name="Check").click()

    expect(page.get_by_role("heading", name="Not verified", exact=False)).to_be_visible()
    expect(page.get_by_text("地域史演習")).to_have_count(0)
    assert_accessible(page)


def test_an_empty_check_shows_the_error_beside_the_field(page: Page, site, assert_accessible):
    page.goto(f"{site}/credentials/verify/")
    page.get_by_role("button", name="Check").click()

    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_role("textbox", name="Credential")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_the_page_reads_in_japanese(page: Page, site, settings, token, assert_accessible):
    settings.LANGUAGE_CODE = "ja"
    page.goto(f"{site}/credentials/verify/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.locator("textarea").fill(token)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#verify-result")).to_contain_text("本物")
    assert_accessible(page)
