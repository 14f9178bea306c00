"""Notifications in a real browser: the menu's count, the list, marking read, the settings, and
an axe-core check of both pages."""

import pytest
from playwright.sync_api import Page, expect

from campus_social.notifications import selectors, services
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_resident_sees_a_notification_and_marks_it_read(
    page: Page, site, resident, assert_accessible
):
    services.notification_send(
        resident=resident, kind="system.announcement", title="The library opens late today"
    )
    sign_in(page, site)

    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="Notifications 1 unread").click()

    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    item = page.get_by_role("listitem").filter(has_text="The library opens late today")
    expect(item).to_contain_text("New")
    assert_accessible(page)

    item.get_by_role("button", name="Mark as read").click()

    expect(page.get_by_role("status")).to_contain_text("The notification is marked as read.")
    expect(item).not_to_contain_text("New")
    expect(menu.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    assert selectors.notification_unread_count(resident=resident) == 0

    page.get_by_role("link", name="Choose how you are told of each kind").click()
    announcements = page.get_by_role("group", name="Announcements from the city")
    announcements.get_by_label("Send me an email").check()
    page.get_by_role("button", name="Save my choices").click()

    expect(page.get_by_role("status")).to_contain_text("Your choices are saved.")
    expect(announcements.get_by_label("Send me an email")).to_be_checked()
    assert_accessible(page)
