"""The circles REST API: a circle's meetings, who is coming, and their calendar files."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities import services
from communities.models import CircleEvent, Rsvp
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.courses.factories import LecturerFactory, VettingRecordFactory
from tests.factories import GuardianLinkFactory

pytestmark = pytest.mark.django_db


def iso(moment) -> str:
    """As the API writes datetimes: ISO 8601 in the city's time zone."""
    return timezone.localtime(moment).isoformat()


def events_url(circle) -> str:
    return f"/api/v1/circles/{circle.pk}/events/"


def event_url(circle, event) -> str:
    return f"/api/v1/circles/{circle.pk}/events/{event.pk}/"


def plan(circle, *, days=7, title="月例会", **fields) -> CircleEvent:
    starts = timezone.now() + timedelta(days=days)
    values = {"place": "中央公民館", "starts_at": starts, "ends_at": starts + timedelta(hours=2)}
    values.update(fields)
    return services.event_create(
        actor=organiser_of(circle), circle_id=circle.pk, title=title, **values
    )


def held(circle, *, days_ago=7, title="先月の例会") -> CircleEvent:
    """A meeting that took place (written directly: the service plans only future ones)."""
    starts = timezone.now() - timedelta(days=days_ago)
    return CircleEvent.objects.create(
        circle=circle,
        title=title,
        place="公民館",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )


def vetted_adult():
    lecturer = LecturerFactory()
    VettingRecordFactory(lecturer=lecturer)
    return lecturer.resident


def test_the_organiser_plans_a_meeting_given_with_its_offset(signed_in):
    circle = make_circle()
    add_member(circle)

    response = signed_in(organiser_of(circle)).post(
        events_url(circle),
        {
            "title": "吟行",
            "description": "公園で句を詠みます。",
            "place": "城址公園",
            "starts_at": "2099-05-01T10:00:00+09:00",
            "ends_at": "2099-05-01T12:00:00+09:00",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    event = CircleEvent.objects.get(pk=body["id"])
    assert (event.circle, event.title, event.place) == (circle, "吟行", "城址公園")
    assert event.starts_at.isoformat() == "2099-05-01T01:00:00+00:00"
    assert (body["coming"], body["maybe"], body["my_answer"], body["cancelled_at"]) == (
        0,
        0,
        None,
        None,
    )
    assert body["starts_at"] == iso(event.starts_at)


def test_a_meeting_without_an_offset_or_ending_before_it_starts_answers_400(signed_in):
    circle = make_circle()
    client = signed_in(organiser_of(circle))

    naive = client.post(
        events_url(circle),
        {
            "title": "t",
            "place": "p",
            "starts_at": "2099-05-01T10:00:00",
            "ends_at": "2099-05-01T12:00:00+09:00",
        },
        format="json",
    )
    backwards = client.post(
        events_url(circle),
        {
            "title": "t",
            "place": "p",
            "starts_at": "2099-05-01T10:00:00+09:00",
            "ends_at": "2099-05-01T09:00:00+09:00",
        },
        format="json",
    )

    assert naive.status_code == 400
    assert list(naive.json()["fields"]) == ["starts_at"]
    assert backwards.status_code == 400
    assert "ends_at" in backwards.json()["fields"]
    assert not CircleEvent.objects.exists()


def test_a_plain_member_cannot_plan_a_meeting(signed_in):
    circle = make_circle()
    member = add_member(circle)

    response = signed_in(member).post(
        events_url(circle),
        {
            "title": "t",
            "place": "p",
            "starts_at": "2099-05-01T10:00:00+09:00",
            "ends_at": "2099-05-01T12:00:00+09:00",
        },
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_a_moderator"
    assert not CircleEvent.objects.exists()


def test_meetings_are_listed_upcoming_by_default_or_past_or_all(signed_in):
    circle = make_circle()
    member = add_member(circle)
    later = plan(circle, days=14, title="再来週")
    sooner = plan(circle, days=7, title="来週")
    past = held(circle)
    Rsvp.objects.create(event=sooner, resident=member, answer="yes")
    client = signed_in(member)

    def listed(**params):
        response = client.get(events_url(circle), params)
        assert response.status_code == 200
        return response.json()["results"]

    upcoming = listed()
    assert [e["id"] for e in upcoming] == [sooner.pk, later.pk]
    assert (upcoming[0]["coming"], upcoming[0]["maybe"]) == (1, 0)
    assert [e["id"] for e in listed(when="past")] == [past.pk]
    assert [e["id"] for e in listed(when="all")] == [past.pk, sooner.pk, later.pk]
    bad = client.get(events_url(circle), {"when": "someday"})
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["when"]


def test_a_meeting_shows_who_is_coming_and_my_answer(signed_in):
    circle = make_circle()
    member, other = add_member(circle), add_member(circle)
    event = plan(circle)
    Rsvp.objects.create(event=event, resident=member, answer="maybe")
    Rsvp.objects.create(event=event, resident=other, answer="yes")

    response = signed_in(member).get(event_url(circle, event))

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["place"], body["coming"], body["maybe"], body["my_answer"]) == (
        "月例会",
        "中央公民館",
        1,
        1,
        "maybe",
    )


def test_a_member_answers_whether_they_come_and_changes_their_mind(signed_in):
    circle = make_circle()
    member = add_member(circle)
    event = plan(circle)
    client = signed_in(member)

    first = client.put(event_url(circle, event) + "rsvp/", {"answer": "yes"}, format="json")
    second = client.put(event_url(circle, event) + "rsvp/", {"answer": "no"}, format="json")

    assert (first.status_code, first.json()) == (200, {"answer": "yes"})
    assert (second.status_code, second.json()) == (200, {"answer": "no"})
    assert Rsvp.objects.get(event=event, resident=member).answer == "no"


def test_an_answer_that_is_not_yes_maybe_or_no_answers_400(signed_in):
    circle = make_circle()
    member = add_member(circle)
    event = plan(circle)

    response = signed_in(member).put(
        event_url(circle, event) + "rsvp/", {"answer": "perhaps"}, format="json"
    )

    assert response.status_code == 400
    assert "answer" in response.json()["fields"]
    assert not Rsvp.objects.exists()


def test_a_guardian_answers_for_their_child(signed_in):
    link = GuardianLinkFactory()
    circle = make_circle(organiser=vetted_adult(), for_children=True)
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    event = plan(circle)

    response = signed_in(link.guardian).put(
        event_url(circle, event) + "rsvp/",
        {"answer": "yes", "resident_id": link.child.pk},
        format="json",
    )

    assert response.status_code == 200
    assert Rsvp.objects.get(event=event).resident == link.child


def test_the_organiser_moves_and_cancels_a_meeting_and_then_nobody_answers(signed_in):
    circle = make_circle()
    member = add_member(circle)
    event = plan(circle)
    organiser = signed_in(organiser_of(circle))

    moved = organiser.patch(event_url(circle, event), {"place": "市民会館"}, format="json")
    cancelled = organiser.post(event_url(circle, event) + "cancel/")
    answering = signed_in(member).put(
        event_url(circle, event) + "rsvp/", {"answer": "yes"}, format="json"
    )

    assert moved.status_code == 200
    assert moved.json()["place"] == "市民会館"
    assert cancelled.status_code == 200
    event.refresh_from_db()
    assert (event.place, cancelled.json()["cancelled_at"]) == ("市民会館", iso(event.cancelled_at))
    assert answering.status_code == 409
    assert answering.json()["code"] == "cancelled"
    assert not Rsvp.objects.exists()


def test_a_plain_member_cannot_change_or_cancel_a_meeting(signed_in):
    circle = make_circle()
    member = add_member(circle)
    event = plan(circle)
    client = signed_in(member)

    moved = client.patch(event_url(circle, event), {"place": "自宅"}, format="json")
    cancelled = client.post(event_url(circle, event) + "cancel/")

    assert (moved.status_code, cancelled.status_code) == (403, 403)
    event.refresh_from_db()
    assert (event.place, event.cancelled_at) == ("中央公民館", None)


def test_a_meeting_of_another_circle_is_not_found_under_this_one(signed_in):
    mine = make_circle()
    member = add_member(mine)
    elsewhere = make_circle()
    add_member(elsewhere, member)
    theirs = plan(elsewhere)
    client = signed_in(member)

    responses = [
        client.get(event_url(mine, theirs)),
        client.patch(event_url(mine, theirs), {"title": "x"}, format="json"),
        client.post(event_url(mine, theirs) + "cancel/"),
        client.put(event_url(mine, theirs) + "rsvp/", {"answer": "yes"}, format="json"),
        client.get(event_url(mine, theirs) + "event.ics"),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    theirs.refresh_from_db()
    assert (theirs.title, theirs.cancelled_at) == ("月例会", None)
    assert not Rsvp.objects.exists()


# --- Calendars -----------------------------------------------------------------------------------


def test_the_circles_meetings_come_as_one_calendar_file(signed_in):
    circle = make_circle(name="俳句の会")
    member = add_member(circle)
    plan(circle, title="吟行")
    held(circle, title="句会")
    cancelled = plan(circle, title="中止の会", days=10)
    services.event_cancel(actor=organiser_of(circle), event_id=cancelled.pk)

    response = signed_in(member).get(f"/api/v1/circles/{circle.pk}/events.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR")
    assert text.count("BEGIN:VEVENT") == 3
    assert "吟行 (俳句の会)" in text
    assert "句会 (俳句の会)" in text
    assert "STATUS:CANCELLED" in text


def test_calendar_apps_that_ask_only_for_text_calendar_get_the_file(signed_in):
    circle = make_circle()
    event = plan(circle)

    response = signed_in(organiser_of(circle)).get(
        event_url(circle, event) + "event.ics", HTTP_ACCEPT="text/calendar"
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("BEGIN:VEVENT") == 1
    assert f"UID:circle-event-{event.pk}@" in text


# --- Query budgets -------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 13])
def test_the_meeting_list_costs_the_same_queries_however_many_meetings(
    django_assert_num_queries, rows, signed_in
):
    """Guards against counting each meeting's answers per row."""
    circle = make_circle()
    member = add_member(circle)
    for n in range(rows):
        event = plan(circle, days=n + 1)
        Rsvp.objects.create(event=event, resident=member, answer="yes")
    client = signed_in(member)

    # session, resident, circle, my standing, count, page
    with django_assert_num_queries(6):
        response = client.get(events_url(circle), {"page_size": 100})

    results = response.json()["results"]
    assert len(results) == rows
    assert {e["coming"] for e in results} == {1}


@pytest.mark.parametrize("rows", [3, 13])
def test_the_calendar_file_costs_the_same_queries_however_many_meetings(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each meeting's circle (for its name) per row."""
    circle = make_circle()
    for n in range(rows):
        plan(circle, days=n + 1)
    client = signed_in(organiser_of(circle))

    # session, resident, circle (twice: for its name, and by the list), my standing, the events
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/circles/{circle.pk}/events.ics")

    assert response.content.decode().count("BEGIN:VEVENT") == rows
