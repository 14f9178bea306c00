"""The notification service: sending (preferences, email and the live push after commit),
reading, preferences, and the API."""

import uuid
from datetime import UTC

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy

from campus_social.common.errors import Invalid, NotFound
from campus_social.common.realtime import resident_group
from campus_social.notifications import selectors, services
from campus_social.notifications.kinds import KINDS, KindInfo, register_kind
from campus_social.notifications.models import Notification, NotificationPreference
from tests.factories import ResidentFactory
from tests.layer_events import queued_events

pytestmark = pytest.mark.django_db

ANNOUNCEMENT = "system.announcement"
EMAILED = "test.emailed"


@pytest.fixture(autouse=True)
def _test_kind(monkeypatch):
    """A kind that emails unless the resident says otherwise, registered for these tests only."""
    monkeypatch.setitem(KINDS, EMAILED, KindInfo(label="Test kind", email_default=True))


@pytest.fixture
def layer_channel(resident):
    """A channel of the in-memory layer listening to ``resident``'s group, as a socket would."""
    layer = get_channel_layer()
    async_to_sync(layer.flush)()
    # A plain channel name: a process-local one ("…!…") of the Redis layer buffers per event
    # loop, and each async_to_sync call below runs its own loop.
    channel = f"test.notifications.{uuid.uuid4().hex}"
    async_to_sync(layer.group_add)(resident_group(resident.pk), channel)
    yield layer, channel
    async_to_sync(layer.group_discard)(resident_group(resident.pk), channel)


def _send(resident, **fields) -> Notification | None:
    fields = {"kind": ANNOUNCEMENT, "title": "The library opens late today", **fields}
    return services.notification_send(resident=resident, **fields)


# --- Sending --------------------------------------------------------------------------------


def test_a_notification_is_stored_unread_for_the_resident(resident):
    notification = _send(resident, url="/me/")

    assert notification is not None
    stored = Notification.objects.get()
    assert stored.resident == resident
    assert (stored.kind, stored.title, stored.url) == (
        ANNOUNCEMENT,
        "The library opens late today",
        "/me/",
    )
    assert stored.read_at is None
    assert selectors.notification_unread_count(resident=resident) == 1


def test_an_unregistered_kind_is_a_programming_error(resident):
    with pytest.raises(ValueError, match="unknown notification kind"):
        _send(resident, kind="no.such_kind")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/a b", "me/"]
)
def test_a_url_that_is_not_a_path_on_this_site_is_refused(resident, url):
    with pytest.raises(ValueError, match="not a path on this site"):
        _send(resident, url=url)


def test_a_long_title_on_several_lines_is_stored_on_one_shortened_line(resident):
    notification = _send(resident, title="line one\nline two " + "x" * 400)

    assert notification is not None
    assert "\n" not in notification.title
    assert len(notification.title) == 300
    assert notification.title.endswith("…")


def test_with_in_app_turned_off_nothing_is_stored(resident):
    services.notification_preferences_set(
        resident=resident, kind=ANNOUNCEMENT, in_app=False, email=False
    )

    assert _send(resident) is None
    assert not Notification.objects.exists()


def test_a_deactivated_resident_is_told_nothing(django_capture_on_commit_callbacks):
    resident = ResidentFactory(is_active=False, email="gone@example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        assert _send(resident, kind=EMAILED) is None
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_with_email_chosen_one_email_goes_after_commit(django_capture_on_commit_callbacks):
    resident = ResidentFactory(email="hanako@example.jp")
    services.notification_preferences_set(
        resident=resident, kind=ANNOUNCEMENT, in_app=True, email=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        _send(resident, email_body="The library opens at 13:00 today.")
        assert mail.outbox == []  # not before the commit

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["hanako@example.jp"]
    assert sent.subject == "The library opens late today"
    assert sent.body.startswith("The library opens at 13:00 today.")


def test_email_goes_even_with_in_app_off_but_not_without_an_address(
    django_capture_on_commit_callbacks,
):
    with_address = ResidentFactory(email="taro@example.jp")
    without_address = ResidentFactory(email="")
    for resident in (with_address, without_address):
        services.notification_preferences_set(
            resident=resident, kind=ANNOUNCEMENT, in_app=False, email=True
        )

    with django_capture_on_commit_callbacks(execute=True):
        assert _send(with_address) is None
        assert _send(without_address) is None

    assert [sent.to for sent in mail.outbox] == [["taro@example.jp"]]
    assert not Notification.objects.exists()


def test_a_kind_registered_with_email_on_emails_until_the_resident_says_otherwise(
    django_capture_on_commit_callbacks,
):
    resident = ResidentFactory(email="hanako@example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        _send(resident, kind=EMAILED)
        services.notification_preferences_set(
            resident=resident, kind=EMAILED, in_app=True, email=False
        )
        _send(resident, kind=EMAILED)

    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 2


def test_the_residents_open_sockets_hear_of_it_after_commit(
    resident, layer_channel, django_capture_on_commit_callbacks
):
    layer, channel = layer_channel

    with django_capture_on_commit_callbacks(execute=True):
        notification = _send(resident, url="/me/")
        assert queued_events(layer, channel) == []  # not before the commit

    assert notification is not None
    [event] = queued_events(layer, channel)
    assert event == {
        "type": "notification.created",
        "frame": {
            "type": "notification",
            "id": notification.pk,
            "kind": ANNOUNCEMENT,
            "title": "The library opens late today",
            "url": "/me/",
            "created_at": event["frame"]["created_at"],
        },
    }
    assert event["frame"]["created_at"].endswith("Z")
    assert event["frame"]["created_at"].startswith(
        notification.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    )


def test_a_rolled_back_send_pushes_nothing_and_emails_nothing(
    resident, layer_channel, django_capture_on_commit_callbacks
):
    layer, channel = layer_channel
    resident.email = "hanako@example.jp"
    resident.save(update_fields=["email"])

    def send_then_fail() -> None:
        with transaction.atomic():
            _send(resident, kind=EMAILED)
            raise RuntimeError("the caller's write failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        send_then_fail()

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []
    assert queued_events(layer, channel) == []


def test_a_translated_notification_is_rendered_in_the_residents_language(settings):
    settings.LANGUAGE_CODE = "en"
    japanese = ResidentFactory(language="ja")
    english = ResidentFactory(language="en")
    for resident in (japanese, english):
        services.notification_send_translated(
            resident=resident,
            kind=ANNOUNCEMENT,
            title_template=gettext_lazy("Hello, %(name)s."),
            params={"name": "花子"},
        )

    titles = {n.resident_id: n.title for n in Notification.objects.all()}
    assert titles == {japanese.pk: "花子さん、こんにちは。", english.pk: "Hello, 花子."}


def test_sending_to_many_keeps_each_residents_language_and_choices(
    settings, layer_channel, resident, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"
    english = ResidentFactory(language="en", email="alice@example.jp")
    quiet = ResidentFactory(email="quiet@example.jp")  # in-app off, email on: only an email
    gone = ResidentFactory(is_active=False)
    NotificationPreference.objects.create(resident=english, kind=EMAILED, in_app=True, email=True)
    NotificationPreference.objects.create(resident=quiet, kind=EMAILED, in_app=False, email=True)
    layer, channel = layer_channel

    with django_capture_on_commit_callbacks(execute=True):
        stored = services.notification_send_many(
            recipients=[resident, english, quiet, gone, resident],
            kind=EMAILED,
            title_template=gettext_lazy("Hello, %(name)s."),
            params={"name": "花子"},
            url="/me/",
        )
        assert mail.outbox == []  # not before the commit

    titles = {n.resident_id: n.title for n in Notification.objects.all()}
    assert titles == {resident.pk: "花子さん、こんにちは。", english.pk: "Hello, 花子."}
    assert sorted(n.pk for n in stored) == sorted(Notification.objects.values_list("pk", flat=True))
    assert sorted(message.to[0] for message in mail.outbox) == [
        "alice@example.jp",
        "quiet@example.jp",
    ]
    [event] = queued_events(layer, channel)  # told once, though listed twice
    assert event["frame"]["id"] == Notification.objects.get(resident=resident).pk
    assert event["frame"]["title"] == "花子さん、こんにちは。"


def test_sending_to_many_costs_the_same_queries_for_2_and_20(django_assert_num_queries):
    """Guards the N+1 of reading each recipient's preference and storing each notification."""
    for size in (2, 20):
        people = ResidentFactory.create_batch(size)
        with django_assert_num_queries(2):
            services.notification_send_many(
                recipients=people, kind=ANNOUNCEMENT, title_template="The library opens late"
            )


# --- Registry -------------------------------------------------------------------------------


def test_registering_a_kind_again_the_same_way_is_harmless_but_differently_is_refused():
    register_kind(ANNOUNCEMENT, KINDS[ANNOUNCEMENT].label)
    with pytest.raises(ValueError, match="already registered"):
        register_kind(ANNOUNCEMENT, "Something else", email_default=True)


@pytest.mark.parametrize("code", ["announcement", "System.Announcement", "a..b", "a.b-c"])
def test_a_kind_code_is_dotted_lowercase(code):
    with pytest.raises(ValueError, match="dotted lowercase"):
        register_kind(code, "label")


# --- Reading --------------------------------------------------------------------------------


def test_marking_another_residents_notification_read_is_not_found(resident):
    theirs = _send(ResidentFactory())
    assert theirs is not None

    with pytest.raises(NotFound):
        services.notification_mark_read(resident=resident, notification_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_twice_keeps_the_first_time(resident):
    notification = _send(resident)
    assert notification is not None

    first = services.notification_mark_read(resident=resident, notification_id=notification.pk)
    again = services.notification_mark_read(resident=resident, notification_id=notification.pk)

    assert first.read_at is not None
    assert again.read_at == first.read_at


def test_mark_all_read_touches_only_the_residents_own(resident):
    for _number in range(3):
        _send(resident)
    other = ResidentFactory()
    _send(other)

    assert services.notification_mark_all_read(resident=resident) == 3
    assert selectors.notification_unread_count(resident=resident) == 0
    assert selectors.notification_unread_count(resident=other) == 1
    assert list(selectors.notification_list(resident=resident, unread_only=True)) == []


# --- Preferences ----------------------------------------------------------------------------


def test_preferences_list_every_kind_with_its_defaults_until_chosen(resident):
    before = {
        p.kind: (p.in_app, p.email) for p in selectors.notification_preferences(resident=resident)
    }
    assert before[ANNOUNCEMENT] == (True, False)
    assert before[EMAILED] == (True, True)

    services.notification_preferences_set(
        resident=resident, kind=ANNOUNCEMENT, in_app=False, email=True
    )
    services.notification_preferences_set(
        resident=resident, kind=ANNOUNCEMENT, in_app=True, email=True
    )

    after = {
        p.kind: (p.in_app, p.email) for p in selectors.notification_preferences(resident=resident)
    }
    assert after[ANNOUNCEMENT] == (True, True)
    assert NotificationPreference.objects.filter(resident=resident).count() == 1


def test_a_preference_for_an_unknown_kind_is_invalid(resident):
    with pytest.raises(Invalid) as refusal:
        services.notification_preferences_set(
            resident=resident, kind="no.such_kind", in_app=True, email=False
        )
    assert "kind" in refusal.value.fields


def test_several_preferences_are_kept_all_or_none(resident):
    with pytest.raises(Invalid):
        services.notification_preferences_update(
            resident=resident,
            choices=[
                services.PreferenceChoice(kind=ANNOUNCEMENT, in_app=False, email=False),
                services.PreferenceChoice(kind="no.such_kind", in_app=False, email=False),
            ],
        )
    assert not NotificationPreference.objects.exists()


# --- API ------------------------------------------------------------------------------------

LIST = "/api/v1/notifications/"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", LIST),
        ("post", "/api/v1/notifications/1/read/"),
        ("post", "/api/v1/notifications/read-all/"),
        ("get", "/api/v1/me/notification-preferences/"),
        ("put", f"/api/v1/me/notification-preferences/{ANNOUNCEMENT}/"),
    ],
)
def test_anonymous_callers_get_401(api_client, method, path):
    response = getattr(api_client, method)(path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_the_list_is_paginated_newest_first_and_filters_unread(resident_api, resident):
    first = _send(resident, title="first")
    second = _send(resident, title="second", url="/me/")
    assert first is not None
    assert second is not None
    services.notification_mark_read(resident=resident, notification_id=first.pk)
    _send(ResidentFactory(), title="someone else's")

    everything = resident_api.get(LIST).json()
    unread = resident_api.get(LIST, {"unread": "true"}).json()

    assert everything["count"] == 2
    assert [n["title"] for n in everything["results"]] == ["second", "first"]
    assert everything["results"][0] == {
        "id": second.pk,
        "kind": ANNOUNCEMENT,
        "title": "second",
        "url": "/me/",
        "created_at": everything["results"][0]["created_at"],
        "read_at": None,
    }
    assert everything["results"][0]["created_at"].endswith("Z")
    assert everything["results"][1]["read_at"] is not None
    assert [n["id"] for n in unread["results"]] == [second.pk]


def test_an_unreadable_unread_filter_is_400(resident_api):
    response = resident_api.get(LIST, {"unread": "maybe"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_list_costs_the_same_queries_for_5_and_30_notifications(resident_api, resident):
    """Guards against a query per notification row in the list."""
    for number in range(5):
        _send(resident, title=f"n{number}")
    with CaptureQueriesContext(connection) as few:
        assert len(resident_api.get(LIST, {"page_size": 50}).json()["results"]) == 5
    for number in range(25):
        _send(resident, title=f"m{number}")
    with CaptureQueriesContext(connection) as many:
        assert len(resident_api.get(LIST, {"page_size": 50}).json()["results"]) == 30
    assert len(many) == len(few)


def test_marking_read_through_the_api(resident_api, resident):
    notification = _send(resident)
    assert notification is not None

    response = resident_api.post(f"/api/v1/notifications/{notification.pk}/read/")

    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert selectors.notification_unread_count(resident=resident) == 0


def test_another_residents_notification_answers_404(resident_api):
    theirs = _send(ResidentFactory())
    assert theirs is not None

    response = resident_api.post(f"/api/v1/notifications/{theirs.pk}/read/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_through_the_api(resident_api, resident):
    _send(resident)
    _send(resident)

    response = resident_api.post("/api/v1/notifications/read-all/")

    assert response.status_code == 204
    assert selectors.notification_unread_count(resident=resident) == 0


def test_preferences_round_trip_through_the_api(resident_api):
    path = f"/api/v1/me/notification-preferences/{ANNOUNCEMENT}/"

    listed = resident_api.get("/api/v1/me/notification-preferences/").json()
    assert {
        "kind": ANNOUNCEMENT,
        "label": "市からのお知らせ",  # in the resident's language (Japanese)
        "in_app": True,
        "email": False,
    } in listed

    response = resident_api.put(path, {"in_app": False, "email": True}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "kind": ANNOUNCEMENT,
        "label": "市からのお知らせ",
        "in_app": False,
        "email": True,
    }
    listed = resident_api.get("/api/v1/me/notification-preferences/").json()
    assert {p["kind"]: (p["in_app"], p["email"]) for p in listed}[ANNOUNCEMENT] == (False, True)


def test_a_preference_for_an_unknown_kind_answers_400(resident_api):
    response = resident_api.put(
        "/api/v1/me/notification-preferences/no.such_kind/",
        {"in_app": True, "email": False},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_kind"
    assert body["fields"]["kind"]


def test_a_preference_needs_both_choices(resident_api):
    response = resident_api.put(
        f"/api/v1/me/notification-preferences/{ANNOUNCEMENT}/", {"in_app": True}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["fields"]
