"""The resident's notification pages and the menu's unread count (Django test client)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus_social.notifications import selectors, services
from campus_social.notifications.models import Notification
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

ANNOUNCEMENT = "system.announcement"
LIST = reverse("frontend:notifications")
SETTINGS = reverse("frontend:notification-settings")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """These tests read the English source strings (see tests/frontend/test_pages.py)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def resident(db):
    return ResidentFactory(language="en")


@pytest.fixture
def resident_client(signed_in_page, resident) -> Client:
    return signed_in_page(resident)


def html(response) -> str:
    return response.content.decode()


def notify(resident, title: str = "The library opens late today", url: str = "") -> Notification:
    notification = services.notification_send(
        resident=resident, kind=ANNOUNCEMENT, title=title, url=url
    )
    assert notification is not None
    return notification


@pytest.mark.parametrize("url", [LIST, SETTINGS])
def test_the_pages_send_anonymous_visitors_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('frontend:login')}?next={url}"


def test_the_list_shows_the_residents_own_notifications_newest_first(resident_client, resident):
    notify(resident, "Older news")
    notify(resident, "Newer news", url="/me/")
    notify(ResidentFactory(), "Someone else's news")

    page = html(resident_client.get(LIST))

    assert page.index("Newer news") < page.index("Older news")
    assert '<a href="/me/">Newer news</a>' in page
    assert "Someone else&#x27;s news" not in page
    assert page.count(">New</strong>") == 2
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)  # no inline code (CSP)


def test_the_list_says_so_when_there_is_nothing(resident_client):
    page = html(resident_client.get(LIST))

    assert "You have no notifications yet." in page
    assert "Mark all as read" not in page


def test_the_menu_shows_the_unread_count_to_a_signed_in_resident(resident_client, resident):
    notify(resident)
    notify(resident)

    page = html(resident_client.get(reverse("frontend:my-page")))

    assert f'href="{LIST}"' in page
    assert '<span class="badge">2 unread</span>' in page


def test_the_menu_counts_nothing_for_anonymous_visitors(client):
    with CaptureQueriesContext(connection) as queries:
        page = html(client.get("/"))

    assert LIST not in page
    assert not [q for q in queries if "notifications_notification" in q["sql"]]


def test_marking_one_read_goes_back_to_where_the_resident_was(resident_client, resident):
    notification = notify(resident)

    response = resident_client.post(
        reverse("frontend:notification-read", args=[notification.pk]), {"next": f"{LIST}?page=1"}
    )

    assert response.status_code == 302
    assert response.url == f"{LIST}?page=1"
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = html(resident_client.get(response.url))
    assert "The notification is marked as read." in page
    assert "unread</span>" not in page


def test_marking_read_never_redirects_off_the_site(resident_client, resident):
    notification = notify(resident)

    response = resident_client.post(
        reverse("frontend:notification-read", args=[notification.pk]),
        {"next": "https://evil.example/"},
    )

    assert response.url == LIST


def test_another_residents_notification_is_not_found(resident_client):
    theirs = notify(ResidentFactory())

    response = resident_client.post(reverse("frontend:notification-read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(resident_client, resident):
    notify(resident)
    notify(resident)

    response = resident_client.post(reverse("frontend:notifications-read-all"), follow=True)

    assert "2 notifications are marked as read." in html(response)
    assert selectors.notification_unread_count(resident=resident) == 0


def test_the_marking_forms_refuse_get(resident_client, resident):
    notification = notify(resident)

    assert resident_client.get(reverse("frontend:notifications-read-all")).status_code == 405
    assert (
        resident_client.get(
            reverse("frontend:notification-read", args=[notification.pk])
        ).status_code
        == 405
    )


def test_the_settings_page_shows_every_kind_with_the_residents_choice(resident_client):
    page = html(resident_client.get(SETTINGS))

    assert "<legend>Announcements from the city</legend>" in page
    assert f'name="{ANNOUNCEMENT}:in_app" id="id_{ANNOUNCEMENT}:in_app" checked' in page
    assert f'name="{ANNOUNCEMENT}:email" id="id_{ANNOUNCEMENT}:email">' in page
    assert "No email address is registered for you" in page
    assert "style=" not in page


def test_saving_the_settings_keeps_the_choices(resident_client, resident):
    response = resident_client.post(SETTINGS, {f"{ANNOUNCEMENT}:email": "on"})

    assert response.status_code == 302
    assert response.url == SETTINGS
    chosen = {p.kind: p for p in selectors.notification_preferences(resident=resident)}
    assert (chosen[ANNOUNCEMENT].in_app, chosen[ANNOUNCEMENT].email) == (False, True)
    page = html(resident_client.get(SETTINGS))
    assert "Your choices are saved." in page
    assert f'name="{ANNOUNCEMENT}:email" id="id_{ANNOUNCEMENT}:email" checked' in page


def test_the_pages_render_in_japanese(resident_client, resident, settings):
    resident.language = "ja"
    resident.save(update_fields=["language"])
    notify(resident)
    resident_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"

    for url in (LIST, SETTINGS):
        response = resident_client.get(url)
        assert response.status_code == 200
        assert '<html lang="ja"' in html(response)
