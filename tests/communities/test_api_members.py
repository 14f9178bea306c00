"""The circles REST API: who is in a circle — joining, asking, inviting, deciding, leaving,
removing, banning, roles and the organiser's hand-over, and children joining through a
guardian."""

import pytest

from communities import services
from communities.models import Circle, CircleMember
from messaging.models import RoomMember
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.courses.factories import LecturerFactory, VettingRecordFactory
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def standing(circle, resident) -> CircleMember | None:
    return CircleMember.objects.filter(circle=circle, resident=resident).first()


def in_room(circle, resident) -> bool:
    return RoomMember.objects.filter(room=circle.room, resident=resident).exists()


def vetted_adult():
    lecturer = LecturerFactory()
    VettingRecordFactory(lecturer=lecturer)
    return lecturer.resident


def url(circle, rest: str = "") -> str:
    return f"/api/v1/circles/{circle.pk}/{rest}"


# --- Joining -------------------------------------------------------------------------------------


def test_a_resident_joins_an_open_circle_and_its_chat_room(signed_in):
    circle = make_circle()
    joiner = ResidentFactory()

    response = signed_in(joiner).post(url(circle, "join/"), {}, format="json")

    assert response.status_code == 201
    assert response.json() == {"resident_id": joiner.pk, "status": "active", "role": "member"}
    assert standing(circle, joiner).status == "active"
    assert in_room(circle, joiner)


def test_joining_a_moderated_circle_asks_and_the_organiser_approves(signed_in):
    circle = make_circle(visibility=Circle.Visibility.MODERATED)
    asker = ResidentFactory()

    asked = signed_in(asker).post(url(circle, "join/"), {}, format="json")
    approved = signed_in(organiser_of(circle)).post(
        url(circle, f"requests/{asker.pk}/"), {"approve": True}, format="json"
    )

    assert asked.status_code == 201
    assert asked.json()["status"] == "requested"
    assert approved.status_code == 200
    assert approved.json() == {"status": "active"}
    assert standing(circle, asker).status == "active"
    assert in_room(circle, asker)


def test_a_declined_request_is_forgotten(signed_in):
    circle = make_circle(visibility=Circle.Visibility.MODERATED)
    asker = add_member(circle)

    response = signed_in(organiser_of(circle)).post(
        url(circle, f"requests/{asker.pk}/"), {"approve": False}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"status": "declined"}
    assert standing(circle, asker) is None


def test_deciding_without_a_request_answers_409_and_a_member_cannot_decide(signed_in):
    circle = make_circle(visibility=Circle.Visibility.MODERATED)
    asker = add_member(circle)
    bystander = ResidentFactory()
    services.circle_invite(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=bystander.pk
    )
    services.circle_join(actor=bystander, circle_id=circle.pk)

    no_request = signed_in(organiser_of(circle)).post(
        url(circle, f"requests/{bystander.pk}/"), {"approve": True}, format="json"
    )
    by_member = signed_in(bystander).post(
        url(circle, f"requests/{asker.pk}/"), {"approve": True}, format="json"
    )

    assert no_request.status_code == 409
    assert no_request.json()["code"] == "no_request"
    assert by_member.status_code == 403
    assert by_member.json()["code"] == "not_a_moderator"
    assert standing(circle, asker).status == "requested"


def test_an_outsider_cannot_join_an_invite_only_circle_it_cannot_see(signed_in):
    circle = make_circle(visibility=Circle.Visibility.INVITE_ONLY)
    outsider = ResidentFactory()

    response = signed_in(outsider).post(url(circle, "join/"), {}, format="json")

    assert response.status_code == 404
    assert standing(circle, outsider) is None


def test_joining_an_invite_only_circle_one_can_see_without_an_invitation_answers_403(signed_in):
    """A guardian sees the circle their child is in, but was not invited to it."""
    link = GuardianLinkFactory()
    circle = make_circle(organiser=vetted_adult(), for_children=True)
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    services.circle_update(
        actor=organiser_of(circle), circle_id=circle.pk, visibility=Circle.Visibility.INVITE_ONLY
    )

    response = signed_in(link.guardian).post(url(circle, "join/"), {}, format="json")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "invite_only"
    assert body["detail"]
    assert standing(circle, link.guardian) is None


def test_an_invited_resident_joins_an_invite_only_circle(signed_in):
    circle = make_circle(visibility=Circle.Visibility.INVITE_ONLY)
    invitee = ResidentFactory()

    invited = signed_in(organiser_of(circle)).post(
        url(circle, "invitations/"), {"resident_id": invitee.pk}, format="json"
    )
    seen = signed_in(invitee).get(url(circle))
    joined = signed_in(invitee).post(url(circle, "join/"), {}, format="json")

    assert invited.status_code == 201
    assert invited.json() == {"resident_id": invitee.pk, "status": "invited", "role": "member"}
    assert seen.status_code == 200
    assert seen.json()["my_status"] == "invited"
    assert joined.status_code == 201
    assert standing(circle, invitee).status == "active"


def test_inviting_an_unknown_resident_answers_404_and_a_member_cannot_invite(signed_in):
    circle = make_circle()
    member = add_member(circle)
    other = ResidentFactory()

    unknown = signed_in(organiser_of(circle)).post(
        url(circle, "invitations/"), {"resident_id": 999999}, format="json"
    )
    by_member = signed_in(member).post(
        url(circle, "invitations/"), {"resident_id": other.pk}, format="json"
    )

    assert unknown.status_code == 404
    assert by_member.status_code == 403
    assert by_member.json()["code"] == "not_a_moderator"
    assert standing(circle, other) is None


def test_joining_twice_answers_409_already_member(signed_in):
    circle = make_circle()
    member = add_member(circle)

    response = signed_in(member).post(url(circle, "join/"), {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_member"


# --- Leaving, removing, banning -----------------------------------------------------------------


def test_a_member_leaves_the_circle_and_its_chat_room(signed_in):
    circle = make_circle()
    member = add_member(circle)

    response = signed_in(member).post(url(circle, "leave/"), {}, format="json")

    assert response.status_code == 204
    assert standing(circle, member).status == "left"
    assert not in_room(circle, member)


def test_the_organiser_leaves_only_after_naming_a_successor(signed_in):
    circle = make_circle()
    organiser = organiser_of(circle)
    successor = add_member(circle)
    client = signed_in(organiser)

    refused = client.post(url(circle, "leave/"), {}, format="json")
    left = client.post(url(circle, "leave/"), {"successor_id": successor.pk}, format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "successor_required"
    assert left.status_code == 204
    assert organiser_of(circle) == successor
    assert standing(circle, organiser).status == "left"


def test_the_organiser_hands_the_role_on_and_stays_as_a_moderator(signed_in):
    circle = make_circle()
    organiser = organiser_of(circle)
    successor = add_member(circle)

    response = signed_in(organiser).post(
        url(circle, "organiser/"), {"successor_id": successor.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["resident_id"] == successor.pk
    assert response.json()["role"] == "organiser"
    assert organiser_of(circle) == successor
    assert standing(circle, organiser).role == "moderator"


def test_handing_the_role_to_a_non_member_answers_400_and_changes_nothing(signed_in):
    circle = make_circle()
    organiser = organiser_of(circle)

    response = signed_in(organiser).post(
        url(circle, "organiser/"), {"successor_id": ResidentFactory().pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "successor_invalid"
    assert "successor_id" in response.json()["fields"]
    assert organiser_of(circle) == organiser


def test_a_moderator_removes_a_member_from_the_circle_and_its_chat_room(signed_in):
    circle = make_circle()
    moderator = add_member(circle)
    services.circle_role_set(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=moderator.pk, role="moderator"
    )
    member = add_member(circle)

    response = signed_in(moderator).delete(url(circle, f"members/{member.pk}/"))

    assert response.status_code == 204
    assert standing(circle, member).status == "left"
    assert not in_room(circle, member)


def test_a_member_cannot_remove_another(signed_in):
    circle = make_circle()
    member, other = add_member(circle), add_member(circle)

    response = signed_in(member).delete(url(circle, f"members/{other.pk}/"))

    assert response.status_code == 403
    assert standing(circle, other).status == "active"


def test_a_banned_resident_cannot_rejoin_until_the_ban_is_lifted(signed_in):
    circle = make_circle()
    troublemaker = add_member(circle)
    organiser = signed_in(organiser_of(circle))

    banned = organiser.post(url(circle, f"members/{troublemaker.pk}/ban/"))
    rejoining = signed_in(troublemaker).post(url(circle, "join/"), {}, format="json")

    assert banned.status_code == 200
    assert banned.json() == {"status": "banned"}
    assert not in_room(circle, troublemaker)
    assert rejoining.status_code == 403
    assert rejoining.json()["code"] == "banned"
    assert standing(circle, troublemaker).status == "banned"

    lifted = organiser.delete(url(circle, f"bans/{troublemaker.pk}/"))
    rejoined = signed_in(troublemaker).post(url(circle, "join/"), {}, format="json")

    assert lifted.status_code == 204
    assert rejoined.status_code == 201
    assert standing(circle, troublemaker).status == "active"


def test_lifting_a_ban_that_is_not_there_answers_409(signed_in):
    circle = make_circle()
    member = add_member(circle)

    response = signed_in(organiser_of(circle)).delete(url(circle, f"bans/{member.pk}/"))

    assert response.status_code == 409
    assert response.json()["code"] == "not_banned"
    assert standing(circle, member).status == "active"


# --- Roles -----------------------------------------------------------------------------------------


def test_the_organiser_makes_a_member_a_moderator_and_back(signed_in):
    circle = make_circle()
    member = add_member(circle)
    client = signed_in(organiser_of(circle))

    promoted = client.patch(
        url(circle, f"members/{member.pk}/"), {"role": "moderator"}, format="json"
    )
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "moderator"
    assert standing(circle, member).role == "moderator"
    assert RoomMember.objects.get(room=circle.room, resident=member).role == "moderator"

    demoted = client.patch(url(circle, f"members/{member.pk}/"), {"role": "member"}, format="json")
    assert demoted.status_code == 200
    assert standing(circle, member).role == "member"


def test_only_the_organiser_gives_roles_and_only_moderator_or_member(signed_in):
    circle = make_circle()
    member, other = add_member(circle), add_member(circle)

    by_member = signed_in(member).patch(
        url(circle, f"members/{other.pk}/"), {"role": "moderator"}, format="json"
    )
    organiser_role = signed_in(organiser_of(circle)).patch(
        url(circle, f"members/{other.pk}/"), {"role": "organiser"}, format="json"
    )

    assert by_member.status_code == 403
    assert organiser_role.status_code == 400
    assert "role" in organiser_role.json()["fields"]
    assert standing(circle, other).role == "member"


# --- Lists -------------------------------------------------------------------------------------


def test_members_are_listed_organiser_first_then_moderators(signed_in):
    circle = make_circle()
    organiser = organiser_of(circle)
    member = add_member(circle, ResidentFactory(name_kana="あ"))
    moderator = add_member(circle, ResidentFactory(name_kana="ん"))
    services.circle_role_set(
        actor=organiser, circle_id=circle.pk, resident_id=moderator.pk, role="moderator"
    )

    response = signed_in(member).get(url(circle, "members/"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(m["resident_id"], m["role"]) for m in body["results"]] == [
        (organiser.pk, "organiser"),
        (moderator.pk, "moderator"),
        (member.pk, "member"),
    ]
    assert body["results"][2]["name"] == member.name
    assert body["results"][2]["joined_at"]


def test_requests_invitations_and_bans_are_pending_for_the_organisers_only(signed_in):
    circle = make_circle(visibility=Circle.Visibility.MODERATED)
    organiser = organiser_of(circle)
    asker = add_member(circle)
    invitee = ResidentFactory()
    services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=invitee.pk)
    banned = ResidentFactory()
    services.circle_member_remove(
        actor=organiser, circle_id=circle.pk, resident_id=banned.pk, ban=True
    )
    member = ResidentFactory()
    services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=member.pk)
    services.circle_join(actor=member, circle_id=circle.pk)

    response = signed_in(organiser).get(url(circle, "pending/"))
    by_member = signed_in(member).get(url(circle, "pending/"))

    assert response.status_code == 200
    by_status = {entry["status"]: entry for entry in response.json()}
    assert set(by_status) == {"requested", "invited", "banned"}
    assert by_status["requested"]["resident_id"] == asker.pk
    assert by_status["requested"]["added_by_name"] is None
    # Invited by number: the organiser is not told whose number it was.
    assert str(invitee.pk) in by_status["invited"]["name"]
    assert invitee.name not in response.content.decode()
    assert by_status["invited"]["added_by_name"] == organiser.name
    assert by_status["banned"]["resident_id"] == banned.pk
    assert by_member.status_code == 403
    assert by_member.json()["code"] == "not_a_moderator"


@pytest.mark.parametrize("rows", [3, 13])
def test_the_member_list_costs_the_same_queries_however_many_members(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each member's resident (for their name) per row."""
    circle = make_circle()
    for _n in range(rows):
        add_member(circle)
    client = signed_in(organiser_of(circle))

    # session, resident, circle, my standing, count, page
    with django_assert_num_queries(6):
        response = client.get(url(circle, "members/"), {"page_size": 100})

    assert len(response.json()["results"]) == rows + 1


@pytest.mark.parametrize("rows", [3, 13])
def test_the_pending_list_costs_the_same_queries_however_many_are_waiting(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each waiting resident or who added them per row."""
    circle = make_circle()
    organiser = organiser_of(circle)
    for n in range(rows):
        resident = ResidentFactory()
        services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=resident.pk)
        if n % 2:
            services.circle_member_remove(
                actor=organiser, circle_id=circle.pk, resident_id=resident.pk, ban=True
            )
    client = signed_in(organiser)

    # session, resident, circle, my standing, the list
    with django_assert_num_queries(5):
        response = client.get(url(circle, "pending/"))

    assert len(response.json()) == rows


# --- Children ------------------------------------------------------------------------------


def test_a_guardian_joins_their_child_and_members_see_the_childs_given_name_only(signed_in):
    link = GuardianLinkFactory()
    child = link.child
    circle = make_circle(organiser=vetted_adult(), for_children=True)
    member = add_member(circle, vetted_adult())

    response = signed_in(link.guardian).post(
        url(circle, "join/"), {"resident_id": child.pk}, format="json"
    )
    listed = signed_in(member).get(url(circle, "members/")).json()["results"]

    assert response.status_code == 201
    assert response.json() == {"resident_id": child.pk, "status": "active", "role": "member"}
    joined = standing(circle, child)
    assert (joined.status, joined.added_by) == ("active", link.guardian)
    assert standing(circle, link.guardian) is None
    (shown,) = [m for m in listed if m["resident_id"] == child.pk]
    assert shown["name"] == child.given_name
    assert child.name not in str(listed)


def test_a_guardian_reads_the_member_list_of_their_childs_circle(signed_in):
    link = GuardianLinkFactory()
    circle = make_circle(organiser=vetted_adult(), for_children=True)
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    response = signed_in(link.guardian).get(url(circle, "members/"))

    assert response.status_code == 200
    assert link.child.pk in [m["resident_id"] for m in response.json()["results"]]


def test_a_child_cannot_join_by_themselves(signed_in):
    circle = make_circle(organiser=vetted_adult(), for_children=True)
    child = ChildFactory()

    response = signed_in(child).post(url(circle, "join/"), {}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "guardian_required"
    assert standing(circle, child) is None


def test_a_guardian_cannot_join_their_child_to_a_circle_not_open_to_children(signed_in):
    link = GuardianLinkFactory()
    circle = make_circle()

    response = signed_in(link.guardian).post(
        url(circle, "join/"), {"resident_id": link.child.pk}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_for_children"
    assert standing(circle, link.child) is None


def test_nobody_joins_a_child_who_is_not_their_own(signed_in):
    circle = make_circle(organiser=vetted_adult(), for_children=True)
    child = ChildFactory()

    response = signed_in(ResidentFactory()).post(
        url(circle, "join/"), {"resident_id": child.pk}, format="json"
    )

    assert response.status_code == 404
    assert standing(circle, child) is None


def test_a_guardian_takes_their_child_out_of_a_circle(signed_in):
    link = GuardianLinkFactory()
    circle = make_circle(organiser=vetted_adult(), for_children=True)
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    response = signed_in(link.guardian).post(
        url(circle, "leave/"), {"resident_id": link.child.pk}, format="json"
    )

    assert response.status_code == 204
    assert standing(circle, link.child).status == "left"
