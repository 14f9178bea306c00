"""Signing in through the login page, as a resident would."""

from playwright.sync_api import Page

DEFAULT_CARD = "CARD12345678"
DEFAULT_PIN = "2468"


def sign_in(page: Page, site: str, card_id: str = DEFAULT_CARD, pin: str = DEFAULT_PIN) -> None:
    page.goto(f"{site}/login/")
    page.get_by_label("Card number").fill(card_id)
    page.get_by_label("PIN (4 digits)").fill(pin)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
