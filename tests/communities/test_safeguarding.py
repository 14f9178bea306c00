"""Issue #9 item 1 in circles, through the API: an adult who is neither vetted nor a child's
guardian cannot join, be approved, be invited into, post in or moderate a circle for children,
whatever its organiser wants; item 13: a child may leave by herself, and her guardians are
told."""

import uuid

import pytest

from campus_social.notifications.models import Notification
from communities.models import Circle, CircleMember
from communities.services import circle_for_offering
from courses import services as courses
from courses.models import Audience
from messaging.models import Message, RoomMember
from tests.communities.builders import (
    circle_for_children,
    expire_vetting,
    guardian_with_child,
    vetted_adult,
)
from tests.communities.factories import add_member, organiser_of
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import ResidentFactory, VettingRecordFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_send_rate")]


@pytest.fixture
def generous_send_rate(settings):
    settings.MESSAGE_RATE = "1000/min"
    settings.MESSAGE_RATE_NEW_ACCOUNT = "1000/min"


def url(circle: Circle, rest: str = "") -> str:
    return f"/api/v1/circles/{circle.pk}/{rest}"


@pytest.fixture
def with_a_child(signed_in):
    """``with_a_child(circle)``: the circle with a child in it, joined by her guardian."""

    def joined_by_a_child(circle: Circle):
        link = guardian_with_child()
        joined = signed_in(link.guardian).post(
            url(circle, "join/"), {"resident_id": link.child.pk}, format="json"
        )
        assert joined.status_code == 201
        return link

    return joined_by_a_child


def standing(circle: Circle, resident) -> CircleMember | None:
    return CircleMember.objects.filter(circle=circle, resident=resident).first()


@pytest.fixture
def chat(signed_in):
    """``chat(resident, circle, body)``: the resident posts in the circle's room."""

    def post(resident, circle: Circle, body: str = "こんにちは"):
        return signed_in(resident).post(
            f"/api/v1/rooms/{circle.room_id}/messages/",
            {"client_id": str(uuid.uuid4()), "body": body},
            format="json",
        )

    return post


# --- The attack of issue #9: join, be approved, post, be promoted -------------------------------


def test_an_unvetted_adult_cannot_even_ask_to_join_a_circle_for_children(signed_in, with_a_child):
    circle = circle_for_children(name="こども書き初めクラブ")
    with_a_child(circle)
    stranger = ResidentFactory()

    refused = signed_in(stranger).post(url(circle, "join/"), {}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (403, "vetting_required")
    assert standing(circle, stranger) is None
    assert not RoomMember.objects.filter(room=circle.room, resident=stranger).exists()


def test_the_organisers_approval_cannot_let_an_unvetted_adult_in(signed_in, with_a_child, chat):
    circle = circle_for_children()
    with_a_child(circle)
    # A request made before the rule held, or by an adult whose vetting has since run out.
    asker = vetted_adult()
    assert signed_in(asker).post(url(circle, "join/"), {}, format="json").json()["status"] == (
        "requested"
    )
    expire_vetting(asker)

    refused = signed_in(organiser_of(circle)).post(
        url(circle, f"requests/{asker.pk}/"), {"approve": True}, format="json"
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "vetting_required")
    assert standing(circle, asker).status == "requested"
    assert chat(asker, circle).status_code == 404
    declined = signed_in(organiser_of(circle)).post(
        url(circle, f"requests/{asker.pk}/"), {"approve": False}, format="json"
    )
    assert declined.json() == {"status": "declined"}


def test_an_unvetted_adult_cannot_be_invited_into_a_circle_for_children(signed_in):
    circle = circle_for_children()
    stranger = ResidentFactory()

    refused = signed_in(organiser_of(circle)).post(
        url(circle, "invitations/"), {"resident_id": stranger.pk}, format="json"
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "vetting_required")
    assert standing(circle, stranger) is None


def test_an_invitation_does_not_let_in_an_adult_whose_vetting_ran_out_since(signed_in):
    circle = circle_for_children()
    invitee = vetted_adult()
    signed_in(organiser_of(circle)).post(
        url(circle, "invitations/"), {"resident_id": invitee.pk}, format="json"
    )
    expire_vetting(invitee)

    refused = signed_in(invitee).post(url(circle, "join/"), {}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (403, "vetting_required")
    assert standing(circle, invitee).status == "invited"


def test_a_member_cannot_be_made_moderator_of_a_circle_for_children_without_vetting(
    signed_in, with_a_child
):
    circle = circle_for_children()
    with_a_child(circle)
    member = add_member(circle, vetted_adult())
    expire_vetting(member)

    refused = signed_in(organiser_of(circle)).patch(
        url(circle, f"members/{member.pk}/"), {"role": "moderator"}, format="json"
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "vetting_required")
    assert standing(circle, member).role == "member"
    assert RoomMember.objects.get(room=circle.room, resident=member).role == "member"
    VettingRecordFactory(resident=member)  # renewed
    promoted = signed_in(organiser_of(circle)).patch(
        url(circle, f"members/{member.pk}/"), {"role": "moderator"}, format="json"
    )
    assert promoted.status_code == 200


def test_a_vetted_adult_joins_on_approval_and_posts(signed_in, with_a_child, chat):
    circle = circle_for_children()
    with_a_child(circle)
    helper = vetted_adult()

    asked = signed_in(helper).post(url(circle, "join/"), {}, format="json")
    approved = signed_in(organiser_of(circle)).post(
        url(circle, f"requests/{helper.pk}/"), {"approve": True}, format="json"
    )

    assert asked.json()["status"] == "requested"
    assert approved.json() == {"status": "active"}
    assert chat(helper, circle).status_code == 201
    thread = signed_in(helper).post(
        url(circle, "threads/"), {"title": "持ち物", "body": "筆と墨です。"}, format="json"
    )
    assert thread.status_code == 201


# --- A vetting record that runs out ------------------------------------------------------------


def test_a_member_whose_vetting_ran_out_stops_posting_at_once_in_chat_and_discussions(
    signed_in, with_a_child, chat
):
    circle = circle_for_children()
    with_a_child(circle)
    helper = add_member(circle, vetted_adult())
    thread = signed_in(helper).post(
        url(circle, "threads/"), {"title": "持ち物", "body": "筆と墨です。"}, format="json"
    )
    expire_vetting(helper)

    in_chat = chat(helper, circle)
    new_thread = signed_in(helper).post(
        url(circle, "threads/"), {"title": "次回", "body": "お休みです。"}, format="json"
    )
    reply = signed_in(helper).post(
        url(circle, f"threads/{thread.json()['id']}/replies/"), {"body": "追記"}, format="json"
    )

    for refused in (in_chat, new_thread, reply):
        assert (refused.status_code, refused.json()["code"]) == (403, "vetting_required")
    assert not Message.objects.filter(author=helper).exists()


def test_a_guardian_keeps_reading_the_childrens_circle_but_does_not_post(
    signed_in, with_a_child, chat
):
    circle = circle_for_children()
    link = with_a_child(circle)
    chat(organiser_of(circle), circle, "ようこそ")

    read = signed_in(link.guardian).get(f"/api/v1/rooms/{circle.room_id}/messages/")
    threads = signed_in(link.guardian).get(url(circle, "threads/"))
    written = chat(link.guardian, circle)

    assert read.status_code == 200
    assert [m["body"] for m in read.json()["results"]] == ["ようこそ"]
    assert threads.status_code == 200
    assert written.status_code == 403


def test_an_organiser_whose_vetting_ran_out_hands_on_and_stays_a_plain_member(signed_in):
    circle = circle_for_children()
    organiser = organiser_of(circle)
    successor = add_member(circle, vetted_adult())
    expire_vetting(organiser)

    handed = signed_in(organiser).post(
        url(circle, "organiser/"), {"successor_id": successor.pk}, format="json"
    )

    assert handed.status_code == 200
    assert organiser_of(circle) == successor
    assert standing(circle, organiser).role == "member"
    assert RoomMember.objects.get(room=circle.room, resident=organiser).role == "member"


# --- Issue #10 §4: a child waits for a vetted moderator, never a swallowed refusal -------------


def test_a_child_waits_outside_a_room_without_a_vetted_moderator_and_comes_in_with_one(
    signed_in, with_a_child, chat
):
    circle = circle_for_children()
    organiser = organiser_of(circle)
    deputy = add_member(circle, vetted_adult())
    expire_vetting(organiser)  # the room's only moderator is no longer vetted

    link = with_a_child(circle)

    # The circle membership stands; the room waits for a vetted adult moderator.
    assert standing(circle, link.child).status == "active"
    assert not RoomMember.objects.filter(room=circle.room, resident__in=[link.child, link.guardian])
    assert chat(link.child, circle).status_code == 404

    promoted = signed_in(organiser).patch(
        url(circle, f"members/{deputy.pk}/"), {"role": "moderator"}, format="json"
    )

    assert promoted.status_code == 200
    roles = dict(RoomMember.objects.filter(room=circle.room).values_list("resident_id", "role"))
    assert roles[deputy.pk] == "moderator"
    assert roles[link.child.pk] == "member"
    assert roles[link.guardian.pk] == "reader"
    assert chat(link.child, circle, "せんせい、よろしく").status_code == 201


def test_a_child_with_a_seat_waits_for_the_cohort_room_while_its_lecturers_vetting_is_out(
    signed_in, django_capture_on_commit_callbacks
):
    lecturer = LecturerFactory()
    VettingRecordFactory(resident=lecturer.resident)
    offering = OfferingFactory(course=CourseFactory(owner=lecturer, audience=Audience.CHILDREN))
    circle = circle_for_offering(offering_id=offering.pk)
    expire_vetting(lecturer.resident)
    link = guardian_with_child()

    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_create(
            actor=link.guardian, offering_id=offering.pk, resident_id=link.child.pk
        )

    assert standing(circle, link.child).via_offering
    assert not RoomMember.objects.filter(room=circle.room, resident=link.child).exists()
    VettingRecordFactory(resident=lecturer.resident)  # renewed, and a second teacher joins
    colleague = add_member(circle, vetted_adult())  # asks: the cohort circle is moderated
    organise = signed_in(lecturer.resident)
    organise.post(url(circle, f"requests/{colleague.pk}/"), {"approve": True}, format="json")
    organise.patch(url(circle, f"members/{colleague.pk}/"), {"role": "moderator"}, format="json")
    assert RoomMember.objects.get(room=circle.room, resident=colleague).role == "moderator"
    assert RoomMember.objects.get(room=circle.room, resident=link.child).role == "member"


# --- Item 13: a child leaves by herself -------------------------------------------------------


def test_a_child_may_leave_a_circle_by_herself_and_her_guardian_is_told(
    django_capture_on_commit_callbacks,
    signed_in,
    with_a_child,
):
    circle = circle_for_children(name="こども書き初めクラブ")
    link = with_a_child(circle)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(link.child).post(url(circle, "leave/"), {}, format="json")

    assert response.status_code == 204
    assert standing(circle, link.child).status == "left"
    # Her guardian read the chat only for her: that goes too.
    assert not RoomMember.objects.filter(room=circle.room, resident=link.guardian).exists()
    (notice,) = Notification.objects.filter(resident=link.guardian, kind="communities.membership")
    assert link.child.given_name in notice.title
    assert "こども書き初めクラブ" in notice.title
    # She cannot come back by herself: joining still needs a guardian.
    again = signed_in(link.child).post(url(circle, "join/"), {}, format="json")
    assert (again.status_code, again.json()["code"]) == (403, "guardian_required")


def test_a_guardian_who_takes_the_child_out_is_not_told_of_what_they_did(signed_in, with_a_child):
    circle = circle_for_children()
    link = with_a_child(circle)
    told_before = Notification.objects.filter(resident=link.guardian).count()

    response = signed_in(link.guardian).post(
        url(circle, "leave/"), {"resident_id": link.child.pk}, format="json"
    )

    assert response.status_code == 204
    assert Notification.objects.filter(resident=link.guardian).count() == told_before
