"""What a circle does together, through Django's test client: who may open the discussion,
meeting and resource pages (members; guardians of a child member read along; other residents
get 403, outsiders of an invite-only circle 404; ids from another circle 404), starting and
answering discussions, planning meetings and answering them (also for a child), the ``.ics``
files, and sharing links, documents and pictures — with refusals that change nothing."""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from campus_social.audit.models import AuditEvent
from communities import services
from communities.models import Circle, CircleEvent, Reply, Resource, Rsvp, Thread
from tests.communities.factories import add_member, make_circle
from tests.courses.factories import LecturerFactory, VettingRecordFactory
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory
from tests.factories import VettingRecordFactory as ResidentVettingFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
GPS_IFD = 0x8825
NOT_A_MEMBER = "Only members of the circle can do this. Join it first."


@pytest.fixture(autouse=True)
def _english_pages(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path


def _resident(name: str, **fields):
    return ResidentFactory(name=name, language="en", **fields)


def _page(response) -> str:
    return response.content.decode()


def _url(name: str, circle: Circle, **ids: int) -> str:
    return reverse(f"frontend:{name}", kwargs={"circle_id": circle.pk, **ids})


def _soon(days: int = 7, hour: int = 10) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TOKYO)


def _city_time(moment: datetime) -> str:
    return moment.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def organiser():
    return _resident("書道 会長")


@pytest.fixture
def circle(organiser):
    return make_circle(organiser=organiser, name="Calligraphy friends")


@pytest.fixture
def member(circle):
    return add_member(circle, _resident("山田 花子"))


@pytest.fixture
def other_member(circle):
    return add_member(circle, _resident("佐藤 太郎"))


@pytest.fixture
def outsider():
    return _resident("鈴木 外子")


@pytest.fixture
def thread(circle, member):
    return services.thread_create(
        actor=member, circle_id=circle.pk, title="Which brushes?", body="I use a soft one."
    )


@pytest.fixture
def event(circle, organiser):
    return services.event_create(
        actor=organiser,
        circle_id=circle.pk,
        title="Writing in the park",
        description="Bring paper.",
        place="Central park, east gate",
        starts_at=_soon(),
        ends_at=_soon() + timedelta(hours=2),
    )


@pytest.fixture
def link(circle, member):
    return services.resource_add_link(
        actor=member, circle_id=circle.pk, title="Brush shop", url="https://example.com/brushes"
    )


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 41.0, 22.2)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (139.0, 41.0, 30.1)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _stored_files(tmp_path) -> list:
    folder = tmp_path / "circles" / "resources"
    return list(folder.iterdir()) if folder.exists() else []


def _body(response) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def _pages(circle, thread, event) -> list[str]:
    return [
        _url("circle-discussions", circle),
        _url("circle-thread", circle, thread_id=thread.pk),
        _url("circle-events", circle),
        _url("circle-event", circle, event_id=event.pk),
        _url("circle-events-ics", circle),
        _url("circle-event-ics", circle, event_id=event.pk),
        _url("circle-resources", circle),
    ]


# --- Who may open what --------------------------------------------------------------------------


def test_a_member_opens_every_page_with_the_circle_header_and_its_sections(
    circle, member, thread, event, signed_in_page
):
    client = signed_in_page(member)
    for url in _pages(circle, thread, event):
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".ics"):
            continue
        page = _page(response)
        assert f'href="{reverse("frontend:circle", kwargs={"circle_id": circle.pk})}"' in page
        assert "Calligraphy friends" in page
        for section in ("circle-discussions", "circle-events", "circle-resources"):
            assert f'href="{_url(section, circle)}"' in page
        assert response["Cache-Control"].count("no-store")


@pytest.mark.parametrize(
    ("name", "ids", "method"),
    [
        ("circle-discussions", {}, "get"),
        ("circle-discussions", {}, "post"),
        ("circle-thread", {"thread_id": 1}, "get"),
        ("circle-thread-edit", {"thread_id": 1}, "get"),
        ("circle-thread-remove", {"thread_id": 1}, "post"),
        ("circle-reply-edit", {"thread_id": 1, "reply_id": 1}, "post"),
        ("circle-reply-remove", {"thread_id": 1, "reply_id": 1}, "post"),
        ("circle-events", {}, "get"),
        ("circle-events-ics", {}, "get"),
        ("circle-event", {"event_id": 1}, "post"),
        ("circle-event-ics", {"event_id": 1}, "get"),
        ("circle-event-edit", {"event_id": 1}, "get"),
        ("circle-event-cancel", {"event_id": 1}, "post"),
        ("circle-resources", {}, "get"),
        ("circle-resource-add-link", {}, "post"),
        ("circle-resource-add-file", {}, "post"),
        ("circle-resource-remove", {"resource_id": 1}, "post"),
        ("circle-resource-file", {"resource_id": 1}, "get"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name, ids, method):
    url = reverse(f"frontend:{name}", kwargs={"circle_id": 1, **ids})
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


def test_a_resident_who_is_not_a_member_of_an_open_circle_gets_the_403_page(
    circle, thread, event, link, outsider, signed_in_page
):
    client = signed_in_page(outsider)
    urls = [
        *_pages(circle, thread, event),
        _url("circle-resource-file", circle, resource_id=link.pk),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert NOT_A_MEMBER in _page(response)
    assert AuditEvent.objects.filter(action="permission.denied", actor_id=outsider.pk).exists()


def test_an_outsider_of_an_invite_only_circle_gets_404_as_if_it_did_not_exist(
    organiser, outsider, signed_in_page
):
    hidden = make_circle(organiser=organiser, visibility=Circle.Visibility.INVITE_ONLY)
    thread = services.thread_create(actor=organiser, circle_id=hidden.pk, title="T", body="B")
    event = services.event_create(
        actor=organiser,
        circle_id=hidden.pk,
        title="Secret meeting",
        place="Room 1",
        starts_at=_soon(),
        ends_at=_soon() + timedelta(hours=1),
    )
    client = signed_in_page(outsider)
    for url in _pages(hidden, thread, event):
        assert client.get(url).status_code == 404, url
    refused = client.post(_url("circle-discussions", hidden), {"title": "Hi", "body": "Let me in"})
    assert refused.status_code == 404
    assert Thread.objects.filter(circle=hidden).count() == 1


def test_ids_from_another_circle_are_not_found_even_for_a_member_of_both(
    organiser, circle, member, thread, event, link, signed_in_page
):
    elsewhere = make_circle(organiser=organiser, name="Chess club")
    add_member(elsewhere, member)
    reply = services.reply_create(actor=member, thread_id=thread.pk, body="Soft is best.")
    other_thread = services.thread_create(
        actor=member, circle_id=elsewhere.pk, title="Openings", body="e4?"
    )
    client = signed_in_page(member)

    for url in [
        _url("circle-thread", elsewhere, thread_id=thread.pk),
        _url("circle-thread-edit", elsewhere, thread_id=thread.pk),
        _url("circle-reply-edit", elsewhere, thread_id=thread.pk, reply_id=reply.pk),
        _url("circle-reply-edit", circle, thread_id=other_thread.pk, reply_id=reply.pk),
        _url("circle-event", elsewhere, event_id=event.pk),
        _url("circle-event-ics", elsewhere, event_id=event.pk),
        _url("circle-resource-file", elsewhere, resource_id=link.pk),
        _url("circle-thread", circle, thread_id=999999),
    ]:
        assert client.get(url).status_code == 404, url

    assert (
        client.post(
            _url("circle-thread", elsewhere, thread_id=thread.pk), {"body": "Wrong place"}
        ).status_code
        == 404
    )
    assert client.post(
        _url("circle-thread-remove", elsewhere, thread_id=thread.pk)
    ).status_code == (404)
    assert (
        client.post(_url("circle-resource-remove", elsewhere, resource_id=link.pk)).status_code
        == 404
    )
    assert Reply.objects.filter(thread=thread).count() == 1
    assert Thread.objects.get(pk=thread.pk).removed_at is None
    assert Resource.objects.filter(pk=link.pk).exists()


def test_a_thread_in_a_circle_the_member_does_not_belong_to_is_not_found_either(
    organiser, circle, member, outsider, signed_in_page
):
    """A nested id from an open circle the viewer is not in answers 404, not that circle's 403."""
    elsewhere = make_circle(organiser=organiser, name="Chess club")
    foreign = services.thread_create(actor=organiser, circle_id=elsewhere.pk, title="T", body="B")
    response = signed_in_page(member).get(_url("circle-thread", circle, thread_id=foreign.pk))
    assert response.status_code == 404


# --- Discussions ----------------------------------------------------------------------------------


def test_a_member_starts_a_discussion_and_another_replies(
    circle, member, other_member, signed_in_page
):
    response = signed_in_page(member).post(
        _url("circle-discussions", circle),
        {"title": "Our first meeting", "body": "Line one\n<script>alert(1)</script>"},
    )
    thread = Thread.objects.get(circle=circle)
    assert response.status_code == 302
    assert response["Location"] == _url("circle-thread", circle, thread_id=thread.pk)
    assert (thread.author, thread.title) == (member, "Our first meeting")

    page = _page(
        signed_in_page(other_member).get(_url("circle-thread", circle, thread_id=thread.pk))
    )
    assert "Line one<br>&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "山田 花子" in page

    replied = signed_in_page(other_member).post(
        _url("circle-thread", circle, thread_id=thread.pk), {"body": "I will come!"}
    )
    reply = Reply.objects.get(thread=thread)
    assert replied["Location"].endswith(f"#reply-{reply.pk}")
    thread.refresh_from_db()
    assert thread.reply_count == 1

    listing = signed_in_page(member).get(_url("circle-discussions", circle))
    row = _page(listing).split("Our first meeting")[1].split("</li>")[0]
    assert "山田 花子" in row
    assert "<dd>1</dd>" in row


def test_a_blank_discussion_is_refused_next_to_its_fields(circle, member, signed_in_page):
    response = signed_in_page(member).post(
        _url("circle-discussions", circle), {"title": "  ", "body": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in _page(response)
    assert not Thread.objects.exists()


def test_spaces_only_are_refused_by_the_service_with_its_message(circle, member, signed_in_page):
    response = signed_in_page(member).post(
        _url("circle-discussions", circle), {"title": "   ", "body": "Some text"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in _page(response)
    assert not Thread.objects.exists()


def test_a_non_member_cannot_post_and_nothing_is_written(circle, thread, outsider, signed_in_page):
    client = signed_in_page(outsider)
    started = client.post(_url("circle-discussions", circle), {"title": "Hi", "body": "Me too"})
    replied = client.post(_url("circle-thread", circle, thread_id=thread.pk), {"body": "Hello"})
    assert started.status_code == 403
    assert NOT_A_MEMBER in _page(started)
    assert replied.status_code == 403
    assert Thread.objects.count() == 1
    assert not Reply.objects.exists()


def test_the_author_edits_their_discussion_and_reply(circle, member, thread, signed_in_page):
    reply = services.reply_create(actor=member, thread_id=thread.pk, body="First")
    client = signed_in_page(member)

    page = _page(client.get(_url("circle-thread", circle, thread_id=thread.pk)))
    assert _url("circle-thread-edit", circle, thread_id=thread.pk) in page
    assert _url("circle-reply-edit", circle, thread_id=thread.pk, reply_id=reply.pk) in page

    form = client.get(_url("circle-thread-edit", circle, thread_id=thread.pk))
    assert "I use a soft one." in _page(form)
    client.post(
        _url("circle-thread-edit", circle, thread_id=thread.pk),
        {"title": "Which brushes, really?", "body": "Soft, size 3."},
    )
    client.post(
        _url("circle-reply-edit", circle, thread_id=thread.pk, reply_id=reply.pk),
        {"body": "Second thoughts"},
    )
    thread.refresh_from_db()
    reply.refresh_from_db()
    assert (thread.title, thread.body) == ("Which brushes, really?", "Soft, size 3.")
    assert reply.body == "Second thoughts"
    assert thread.edited_at is not None
    assert reply.edited_at is not None
    assert "(edited)" in _page(client.get(_url("circle-thread", circle, thread_id=thread.pk)))


def test_editing_another_members_post_is_refused_and_nothing_changes(
    circle, member, other_member, thread, signed_in_page
):
    reply = services.reply_create(actor=member, thread_id=thread.pk, body="Mine")
    client = signed_in_page(other_member)

    page = _page(client.get(_url("circle-thread", circle, thread_id=thread.pk)))
    assert _url("circle-thread-edit", circle, thread_id=thread.pk) not in page
    assert _url("circle-thread-remove", circle, thread_id=thread.pk) not in page

    edit_url = _url("circle-thread-edit", circle, thread_id=thread.pk)
    reply_url = _url("circle-reply-edit", circle, thread_id=thread.pk, reply_id=reply.pk)
    assert client.get(edit_url).status_code == 403
    refused = client.post(edit_url, {"title": "Hacked", "body": "Hacked"})
    assert refused.status_code == 403
    assert "You can only edit your own posts." in _page(refused)
    assert client.post(reply_url, {"body": "Hacked"}).status_code == 403
    remove = client.post(_url("circle-thread-remove", circle, thread_id=thread.pk))
    assert remove.status_code == 403

    thread.refresh_from_db()
    reply.refresh_from_db()
    assert (thread.title, thread.body, thread.edited_at, thread.removed_at) == (
        "Which brushes?",
        "I use a soft one.",
        None,
        None,
    )
    assert (reply.body, reply.edited_at) == ("Mine", None)


def test_authors_remove_their_replies_and_moderators_remove_anyones_posts(
    organiser, circle, member, other_member, thread, signed_in_page
):
    services.circle_role_set(
        actor=organiser, circle_id=circle.pk, resident_id=other_member.pk, role="moderator"
    )
    own = services.reply_create(actor=member, thread_id=thread.pk, body="Oops")

    removed = signed_in_page(member).post(
        _url("circle-reply-remove", circle, thread_id=thread.pk, reply_id=own.pk)
    )
    assert removed["Location"] == _url("circle-thread", circle, thread_id=thread.pk)
    own.refresh_from_db()
    assert own.removed_at is not None

    moderator = signed_in_page(other_member)
    page = _page(moderator.get(_url("circle-thread", circle, thread_id=thread.pk)))
    assert _url("circle-thread-remove", circle, thread_id=thread.pk) in page
    assert _url("circle-thread-edit", circle, thread_id=thread.pk) not in page
    gone = moderator.post(_url("circle-thread-remove", circle, thread_id=thread.pk))
    assert gone["Location"] == _url("circle-discussions", circle)
    thread.refresh_from_db()
    assert thread.removed_at is not None
    assert moderator.get(_url("circle-thread", circle, thread_id=thread.pk)).status_code == 404


def test_the_discussion_list_costs_the_same_queries_for_one_thread_or_many(
    circle, member, signed_in_page
):
    """Guards the N+1 of each thread's author on the discussion list."""
    client = signed_in_page(member)
    url = _url("circle-discussions", circle)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    services.thread_create(actor=member, circle_id=circle.pk, title="One", body="x")
    one = queries()
    for number in range(5):
        author = add_member(circle, _resident(f"書き手 {number}"))
        services.thread_create(actor=author, circle_id=circle.pk, title=f"T{number}", body="x")
    assert queries() == one


def test_the_thread_page_costs_the_same_queries_for_one_reply_or_many(
    circle, member, thread, signed_in_page
):
    """Guards the N+1 of each reply's author on a discussion page."""
    client = signed_in_page(member)
    url = _url("circle-thread", circle, thread_id=thread.pk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    services.reply_create(actor=member, thread_id=thread.pk, body="one")
    one = queries()
    for number in range(5):
        author = add_member(circle, _resident(f"返信者 {number}"))
        services.reply_create(actor=author, thread_id=thread.pk, body=f"reply {number}")
    assert queries() == one


# --- Meetings -------------------------------------------------------------------------------------


def test_an_organiser_plans_a_meeting_in_city_time_and_members_see_it(
    organiser, circle, member, signed_in_page
):
    starts = _soon(days=10, hour=13)
    response = signed_in_page(organiser).post(
        _url("circle-events", circle),
        {
            "title": "Autumn writing",
            "description": "Bring ink.",
            "place": "Community centre, room 2",
            "starts_at": _city_time(starts),
            "ends_at": _city_time(starts + timedelta(hours=2)),
        },
    )
    event = CircleEvent.objects.get(circle=circle)
    assert response["Location"] == _url("circle-event", circle, event_id=event.pk)
    assert event.starts_at == starts
    assert event.created_by == organiser

    page = _page(signed_in_page(member).get(_url("circle-events", circle)))
    upcoming = page.split('id="upcoming-heading"')[1].split("</section>")[0]
    assert "Autumn writing" in upcoming
    assert "Community centre, room 2" in upcoming
    assert "13:00" in upcoming
    assert 'id="plan-heading"' not in page  # members do not plan


def test_a_meeting_that_ends_before_it_starts_is_refused_and_nothing_is_planned(
    organiser, circle, signed_in_page
):
    starts = _soon()
    response = signed_in_page(organiser).post(
        _url("circle-events", circle),
        {
            "title": "Backwards",
            "place": "Here",
            "starts_at": _city_time(starts),
            "ends_at": _city_time(starts - timedelta(hours=1)),
        },
    )
    assert response.status_code == 400
    assert "The event must end after it starts." in _page(response)
    assert not CircleEvent.objects.exists()


def test_a_plain_member_cannot_plan_a_meeting(circle, member, signed_in_page):
    response = signed_in_page(member).post(
        _url("circle-events", circle),
        {
            "title": "Mine",
            "place": "Here",
            "starts_at": _city_time(_soon()),
            "ends_at": _city_time(_soon() + timedelta(hours=1)),
        },
    )
    assert response.status_code == 403
    assert not CircleEvent.objects.exists()


def test_past_and_cancelled_meetings_are_marked(organiser, circle, member, event, signed_in_page):
    past = services.event_create(
        actor=organiser,
        circle_id=circle.pk,
        title="Last month",
        place="Library",
        starts_at=_soon(),
        ends_at=_soon() + timedelta(hours=1),
    )
    CircleEvent.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=1),
    )
    cancelled = signed_in_page(organiser).post(
        _url("circle-event-cancel", circle, event_id=event.pk)
    )
    assert cancelled.status_code == 302
    event.refresh_from_db()
    assert event.cancelled_at is not None

    page = _page(signed_in_page(member).get(_url("circle-events", circle)))
    upcoming = page.split('id="upcoming-heading"')[1].split("</section>")[0]
    earlier = page.split('id="past-heading"')[1].split("</section>")[0]
    assert "Writing in the park" in upcoming
    assert "Cancelled" in upcoming
    assert "Last month" in earlier

    detail = _page(signed_in_page(member).get(_url("circle-event", circle, event_id=event.pk)))
    assert "This meeting is cancelled." in detail
    assert 'name="answer"' not in detail


def test_a_member_answers_and_the_count_shows_who_comes(
    circle, member, other_member, event, signed_in_page
):
    url = _url("circle-event", circle, event_id=event.pk)
    response = signed_in_page(member).post(url, {"answer": "yes"})
    assert response["Location"] == url
    signed_in_page(other_member).post(url, {"answer": "no"})
    assert Rsvp.objects.get(event=event, resident=member).answer == "yes"

    page = _page(signed_in_page(other_member).get(url))
    who = page.split('id="who-heading"')[1].split("</section>")[0]
    assert "Coming: 1 person" in who
    assert "山田 花子" in who
    assert "佐藤 太郎" not in who
    assert re.search(r'value="no"[^>]*checked', page)  # the own answer is shown chosen

    signed_in_page(member).post(url, {"answer": "maybe"})
    assert Rsvp.objects.get(event=event, resident=member).answer == "maybe"


def test_an_answer_that_is_not_one_of_the_choices_is_refused(circle, member, event, signed_in_page):
    url = _url("circle-event", circle, event_id=event.pk)
    response = signed_in_page(member).post(url, {"answer": "perhaps"})
    assert response.status_code == 400
    assert not Rsvp.objects.exists()


def test_a_guardian_reads_along_and_answers_for_their_child(circle, organiser, signed_in_page):
    lecturer = LecturerFactory(resident=organiser)
    VettingRecordFactory(lecturer=lecturer)
    services.circle_update(actor=organiser, circle_id=circle.pk, for_children=True)
    child = ChildFactory(language="en")
    guardian = _resident("山田 保護者")
    GuardianLinkFactory(guardian=guardian, child=child)
    services.circle_join(actor=guardian, circle_id=circle.pk, resident_id=child.pk)
    event = services.event_create(
        actor=organiser,
        circle_id=circle.pk,
        title="Children's writing",
        place="School hall",
        starts_at=_soon(),
        ends_at=_soon() + timedelta(hours=1),
    )
    client = signed_in_page(guardian)

    discussions = _page(client.get(_url("circle-discussions", circle)))
    assert "You are reading as the guardian of a member." in discussions
    assert 'id="new-heading"' not in discussions

    url = _url("circle-event", circle, event_id=event.pk)
    page = _page(client.get(url))
    assert f"Will {child.given_name} come?" in page
    assert "Will you come?" not in page  # the guardian is not a member

    client.post(url, {"answer": "yes", "resident": str(child.pk)})
    assert Rsvp.objects.get(event=event).resident == child
    who = (
        _page(signed_in_page(organiser).get(url))
        .split('id="who-heading"')[1]
        .split("</section>")[0]
    )
    assert child.given_name in who
    assert child.name not in who


def test_managers_change_a_meeting_and_members_cannot(
    organiser, circle, member, event, signed_in_page
):
    url = _url("circle-event-edit", circle, event_id=event.pk)
    assert signed_in_page(member).get(url).status_code == 403
    assert signed_in_page(member).post(
        _url("circle-event-cancel", circle, event_id=event.pk)
    ).status_code == (403)

    form = _page(signed_in_page(organiser).get(url))
    assert f'value="{_city_time(event.starts_at)}"' in form
    moved = _soon(days=12, hour=9)
    signed_in_page(organiser).post(
        url,
        {
            "title": "Writing in the park",
            "description": "Bring paper.",
            "place": "West park",
            "starts_at": _city_time(moved),
            "ends_at": _city_time(moved + timedelta(hours=1)),
        },
    )
    event.refresh_from_db()
    assert (event.place, event.starts_at, event.cancelled_at) == ("West park", moved, None)


def test_the_calendar_files_hold_the_circles_meetings(
    organiser, circle, member, event, signed_in_page
):
    client = signed_in_page(member)
    every = client.get(_url("circle-events-ics", circle))
    one = client.get(_url("circle-event-ics", circle, event_id=event.pk))
    for response in (every, one):
        assert response["Content-Type"].startswith("text/calendar")
        assert response["Content-Disposition"].startswith("attachment")
        body = response.content.decode()
        assert body.startswith("BEGIN:VCALENDAR")
        assert "SUMMARY:Writing in the park (Calligraphy friends)" in body
        assert "LOCATION:Central park\\, east gate" in body
        assert f"/circles/{circle.pk}/events/{event.pk}/" in body


def test_the_meeting_list_costs_the_same_queries_for_one_meeting_or_many(
    organiser, circle, member, event, signed_in_page
):
    """Guards the N+1 of each meeting's answer counts on the meeting list."""
    client = signed_in_page(member)
    url = _url("circle-events", circle)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    one = queries()
    for number in range(5):
        more = services.event_create(
            actor=organiser,
            circle_id=circle.pk,
            title=f"Meeting {number}",
            place="Hall",
            starts_at=_soon(days=number + 2),
            ends_at=_soon(days=number + 2) + timedelta(hours=1),
        )
        services.rsvp_set(actor=member, event_id=more.pk, answer="yes")
    assert queries() == one


# --- Shared resources -----------------------------------------------------------------------------


def test_a_member_shares_a_link_shown_as_an_ordinary_link_without_referrer(
    circle, member, signed_in_page
):
    response = signed_in_page(member).post(
        _url("circle-resource-add-link", circle),
        {"title": "Ink maker", "url": "https://example.com/ink"},
    )
    assert response["Location"] == _url("circle-resources", circle)
    resource = Resource.objects.get(circle=circle)
    assert (resource.kind, resource.url) == ("link", "https://example.com/ink")

    page = _page(signed_in_page(member).get(_url("circle-resources", circle)))
    assert (
        '<a href="https://example.com/ink" rel="noopener noreferrer nofollow">Ink maker</a>'
    ) in page
    assert 'target="_blank"' not in page


def test_a_link_that_is_not_a_web_address_is_refused(circle, member, signed_in_page):
    response = signed_in_page(member).post(
        _url("circle-resource-add-link", circle),
        {"title": "Trap", "url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    assert "Enter an address that starts with http:// or https://." in _page(response)
    assert not Resource.objects.exists()


def test_a_member_shares_a_document_that_is_downloaded_with_its_size(
    circle, member, tmp_path, signed_in_page
):
    pdf = b"%PDF-1.4\n% minutes of the meeting\n"
    response = signed_in_page(member).post(
        _url("circle-resource-add-file", circle),
        {"title": "Minutes", "file": _upload("minutes.pdf", pdf, "application/pdf")},
    )
    assert response.status_code == 302
    resource = Resource.objects.get(circle=circle)
    assert (resource.kind, resource.content_type, resource.size) == (
        "document",
        "application/pdf",
        len(pdf),
    )

    page = _page(signed_in_page(member).get(_url("circle-resources", circle)))
    file_url = _url("circle-resource-file", circle, resource_id=resource.pk)
    assert f'href="{file_url}" download' in page
    assert filesizeformat(len(pdf)) in page

    served = signed_in_page(member).get(file_url)
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")
    assert _body(served) == pdf


def test_a_photo_is_served_back_without_its_exif_and_gps_data(circle, member, signed_in_page):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo has GPS
    signed_in_page(member).post(
        _url("circle-resource-add-file", circle),
        {"title": "Our table", "file": _upload("table.jpg", original, "image/jpeg")},
    )
    resource = Resource.objects.get(circle=circle)
    assert resource.kind == "picture"

    page = _page(signed_in_page(member).get(_url("circle-resources", circle)))
    file_url = _url("circle-resource-file", circle, resource_id=resource.pk)
    assert f'<img src="{file_url}" alt="Our table"' in page

    served = signed_in_page(member).get(file_url)
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"].startswith("inline")
    picture = Image.open(io.BytesIO(_body(served)))
    assert len(picture.getexif()) == 0
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert "exif" not in picture.info


def test_a_file_that_is_neither_picture_nor_document_is_refused_and_nothing_is_kept(
    circle, member, tmp_path, signed_in_page
):
    program = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)
    response = signed_in_page(member).post(
        _url("circle-resource-add-file", circle),
        {"title": "Game", "file": _upload("game.pdf", program, "application/pdf")},
    )
    assert response.status_code == 400
    page = _page(response)
    assert "Please upload a picture (JPEG, PNG, WebP, GIF) or a document" in page
    assert "This kind of file cannot be shared here." in page
    assert not Resource.objects.exists()
    assert _stored_files(tmp_path) == []


def test_a_file_that_is_too_large_is_refused_and_the_limit_is_explained(
    circle, member, tmp_path, monkeypatch, signed_in_page
):
    monkeypatch.setattr("communities.uploads.DOCUMENT_MAX_BYTES", 1024)
    client = signed_in_page(member)
    assert f"of at most {filesizeformat(1024)}" in _page(
        client.get(_url("circle-resources", circle))
    )

    response = client.post(
        _url("circle-resource-add-file", circle),
        {"title": "Long notes", "file": _upload("notes.txt", b"a" * 2048, "text/plain")},
    )
    assert response.status_code == 400
    assert "The file is too large." in _page(response)
    assert not Resource.objects.exists()
    assert _stored_files(tmp_path) == []


def test_a_non_member_cannot_share_anything(circle, outsider, tmp_path, signed_in_page):
    client = signed_in_page(outsider)
    link = client.post(
        _url("circle-resource-add-link", circle), {"title": "Spam", "url": "https://spam.example"}
    )
    upload = client.post(
        _url("circle-resource-add-file", circle),
        {"title": "Spam", "file": _upload("a.txt", b"spam", "text/plain")},
    )
    assert (link.status_code, upload.status_code) == (403, 403)
    assert not Resource.objects.exists()
    assert _stored_files(tmp_path) == []


def test_whoever_shared_it_or_a_manager_removes_a_resource_and_others_cannot(
    organiser, circle, member, other_member, link, signed_in_page
):
    remove_url = _url("circle-resource-remove", circle, resource_id=link.pk)
    others_page = _page(signed_in_page(other_member).get(_url("circle-resources", circle)))
    assert remove_url not in others_page
    assert signed_in_page(other_member).post(remove_url).status_code == 403
    assert Resource.objects.filter(pk=link.pk).exists()

    assert remove_url in _page(signed_in_page(organiser).get(_url("circle-resources", circle)))
    assert signed_in_page(organiser).post(remove_url)["Location"] == _url(
        "circle-resources", circle
    )
    assert not Resource.objects.filter(pk=link.pk).exists()


def test_the_resource_list_costs_the_same_queries_for_one_resource_or_many(
    circle, member, link, signed_in_page
):
    """Guards the N+1 of each resource's sharer on the resource list."""
    client = signed_in_page(member)
    url = _url("circle-resources", circle)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    one = queries()
    for number in range(5):
        sharer = add_member(circle, _resident(f"共有者 {number}"))
        services.resource_add_link(
            actor=sharer, circle_id=circle.pk, title=f"Page {number}", url="https://example.com"
        )
    assert queries() == one


def test_a_closed_circle_stays_readable_but_offers_no_forms(
    organiser, circle, member, thread, signed_in_page
):
    services.circle_close(actor=organiser, circle_id=circle.pk)
    client = signed_in_page(member)
    discussions = _page(client.get(_url("circle-discussions", circle)))
    assert "This circle is closed." in discussions
    assert 'id="new-heading"' not in discussions
    assert 'id="reply-heading"' not in _page(
        client.get(_url("circle-thread", circle, thread_id=thread.pk))
    )
    refused = client.post(_url("circle-thread", circle, thread_id=thread.pk), {"body": "Late"})
    assert refused.status_code == 409
    assert "This circle is closed." in _page(refused)
    assert not Reply.objects.exists()


def test_sharing_a_file_without_choosing_one_asks_for_it(circle, member, signed_in_page):
    response = signed_in_page(member).post(
        _url("circle-resource-add-file", circle), {"title": "Notes"}
    )
    assert response.status_code == 400
    assert "Choose a file." in _page(response)
    assert not Resource.objects.exists()


def test_an_adult_whose_vetting_expired_is_not_offered_to_write_where_children_are(
    circle, organiser, signed_in_page
):
    """The page asks ``circle_abilities``, which applies the posting service's safeguarding
    rule: the form is not offered where the service would answer 403."""
    VettingRecordFactory(lecturer=LecturerFactory(resident=organiser))
    services.circle_update(actor=organiser, circle_id=circle.pk, for_children=True)
    circle.refresh_from_db()
    member = _resident("山田 花子")
    vetting = ResidentVettingFactory(resident=member)
    add_member(circle, member)
    guardian = _resident("山田 保護者")
    child = ChildFactory(language="en")
    GuardianLinkFactory(guardian=guardian, child=child)
    services.circle_join(actor=guardian, circle_id=circle.pk, resident_id=child.pk)
    yesterday = timezone.localdate() - timedelta(days=1)
    type(vetting).objects.filter(pk=vetting.pk).update(expires_on=yesterday)
    client = signed_in_page(member)

    discussions = _page(client.get(_url("circle-discussions", circle)))

    assert 'id="new-heading"' not in discussions
    refused = client.post(
        _url("circle-discussions", circle), {"title": "Hello", "body": "Hello all"}
    )
    assert refused.status_code == 403
    assert not Thread.objects.exists()
