"""Nothing hidden: an outsider meets 404 on every route inside an invite-only circle, and a
non-member of an open circle meets 403 ``not_a_member`` on every members-only route; neither
changes anything.

The circle, with one of everything in it, is built once for the module (it took a tenth of a
second per test, for 72 tests).  The rest of the circles API is in ``test_api_circles.py``.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communities import services
from communities.models import Circle, CircleEvent, CircleMember, Thread
from tests.communities.builders import jpeg_with_gps
from tests.communities.factories import make_circle, organiser_of
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _soon(days: int) -> str:
    """As the API writes datetimes: ISO 8601 in the city's time zone."""
    return timezone.localtime(timezone.now() + timedelta(days=days)).isoformat()


def picture_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", jpeg_with_gps(), content_type="image/jpeg")


@pytest.fixture(scope="module")
def hidden(module_db, django_db_blocker) -> dict[str, int]:
    """An invite-only circle with one of everything in it, and a member to act upon: built once
    for the module (``module_db``), as every test here only knocks on its doors; the counts each
    test compares show that none of them changed anything (and each runs in its own savepoint)."""
    with django_db_blocker.unblock():
        circle = make_circle(visibility=Circle.Visibility.INVITE_ONLY)
        organiser = organiser_of(circle)
        member = ResidentFactory()
        services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=member.pk)
        services.circle_join(actor=member, circle_id=circle.pk)
        services.circle_picture_set(actor=organiser, circle_id=circle.pk, upload=picture_file())
        thread = services.thread_create(actor=member, circle_id=circle.pk, title="題", body="本文")
        reply = services.reply_create(actor=member, thread_id=thread.pk, body="返信")
        start = timezone.now() + timedelta(days=3)
        event = services.event_create(
            actor=organiser,
            circle_id=circle.pk,
            title="例会",
            place="公民館",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        resource = services.resource_add_file(
            actor=member, circle_id=circle.pk, title="資料", upload=ContentFile(b"notes", "a.txt")
        )
    return {
        "c": circle.pk,
        "m": member.pk,
        "t": thread.pk,
        "r": reply.pk,
        "e": event.pk,
        "f": resource.pk,
    }


INSIDE = [
    ("get", "{C}", None),
    ("patch", "{C}", {"name": "新しい名前"}),
    ("post", "{C}close/", None),
    ("get", "{C}picture/", None),
    ("put", "{C}picture/", "picture"),
    ("delete", "{C}picture/", None),
    ("post", "{C}join/", {}),
    ("post", "{C}leave/", {}),
    ("get", "{C}members/", None),
    ("patch", "{C}members/{m}/", {"role": "moderator"}),
    ("delete", "{C}members/{m}/", None),
    ("post", "{C}members/{m}/ban/", None),
    ("delete", "{C}bans/{m}/", None),
    ("get", "{C}pending/", None),
    ("post", "{C}invitations/", {"resident_id": "{m}"}),
    ("post", "{C}requests/{m}/", {"approve": True}),
    ("post", "{C}organiser/", {"successor_id": "{m}"}),
    ("get", "{C}threads/", None),
    ("post", "{C}threads/", {"title": "題", "body": "本文"}),
    ("get", "{C}threads/{t}/", None),
    ("patch", "{C}threads/{t}/", {"title": "改題"}),
    ("delete", "{C}threads/{t}/", None),
    ("post", "{C}threads/{t}/replies/", {"body": "返信"}),
    ("patch", "{C}threads/{t}/replies/{r}/", {"body": "直し"}),
    ("delete", "{C}threads/{t}/replies/{r}/", None),
    ("get", "{C}events/", None),
    (
        "post",
        "{C}events/",
        {"title": "例会", "place": "公民館", "starts_at": "{soon}", "ends_at": "{later}"},
    ),
    ("get", "{C}events.ics", None),
    ("get", "{C}events/{e}/", None),
    ("patch", "{C}events/{e}/", {"title": "臨時例会"}),
    ("post", "{C}events/{e}/cancel/", None),
    ("put", "{C}events/{e}/rsvp/", {"answer": "yes"}),
    ("get", "{C}events/{e}/event.ics", None),
    ("get", "{C}resources/", None),
    ("post", "{C}resources/", {"title": "リンク", "url": "https://example.org/"}),
    ("post", "{C}resources/", "file"),
    ("delete", "{C}resources/{f}/", None),
    ("get", "{C}resources/{f}/file", None),
]


def _call(client, method, template, payload, ids):
    values = {**ids, "C": f"/api/v1/circles/{ids['c']}/", "soon": _soon(3), "later": _soon(4)}
    path = template.format(**values)
    if payload == "picture":
        return client.put(path, {"picture": picture_file()}, format="multipart")
    if payload == "file":
        upload = SimpleUploadedFile("n.txt", b"notes", content_type="text/plain")
        return client.post(path, {"title": "資料", "file": upload}, format="multipart")
    if isinstance(payload, dict):
        payload = {key: _filled(value, values) for key, value in payload.items()}
    return getattr(client, method)(path, payload, format="json")


def _filled(value, values):
    if value == "{m}":
        return values["m"]
    return value.format(**values) if isinstance(value, str) else value


@pytest.mark.parametrize(("method", "template", "payload"), INSIDE, ids=lambda v: str(v))
def test_an_outsider_gets_404_on_every_route_of_an_invite_only_circle(
    hidden, method, template, payload, signed_in
):
    before = (Thread.objects.count(), CircleEvent.objects.count(), CircleMember.objects.count())

    response = _call(signed_in(ResidentFactory()), method, template, payload, hidden)

    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    after = (Thread.objects.count(), CircleEvent.objects.count(), CircleMember.objects.count())
    assert after == before


# Everything but reading the circle's card and picture, joining, and leaving (which answers 404
# ``not_a_member``: there is no membership to leave).
MEMBERS_ONLY = [
    entry
    for entry in INSIDE
    if entry[:2] not in {("get", "{C}"), ("get", "{C}picture/"), ("post", "{C}join/")}
    and entry[1] != "{C}leave/"
]


@pytest.mark.parametrize(("method", "template", "payload"), MEMBERS_ONLY, ids=lambda v: str(v))
def test_a_non_member_of_an_open_circle_gets_403_not_a_member_inside_it(
    hidden, method, template, payload, signed_in
):
    Circle.objects.filter(pk=hidden["c"]).update(visibility=Circle.Visibility.OPEN)
    before = (Thread.objects.count(), CircleEvent.objects.count(), CircleMember.objects.count())

    response = _call(signed_in(ResidentFactory()), method, template, payload, hidden)

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "not_a_member"
    after = (Thread.objects.count(), CircleEvent.objects.count(), CircleMember.objects.count())
    assert after == before
