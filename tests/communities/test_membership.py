"""Who is in a circle: joining, asking, inviting, deciding, leaving, handing on the organiser
role, removing, banning, roles — and children, who come only through a guardian.

The circle's chat room follows every change; notifications are checked after the commit.
"""

import uuid

import pytest

from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.notifications.models import Notification
from communities import selectors, services
from communities.models import Circle, CircleMember
from messaging import services as messaging
from messaging.models import RoomMember
from tests.communities.builders import (
    circle_for_children,
    expire_vetting,
    guardian_with_child,
    standing,
    vetted_adult,
    vetted_adult_from,
)
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db

REQUESTS = "communities.join_requests"
MEMBERSHIP = "communities.membership"


def room_role(circle: Circle, resident) -> str | None:
    member = RoomMember.objects.filter(room_id=circle.room_id, resident=resident).first()
    return member.role if member else None


def told(resident, kind: str) -> list[str]:
    return list(
        Notification.objects.filter(resident=resident, kind=kind).values_list("title", flat=True)
    )


def make_member(circle: Circle, resident=None):
    """An active member of any circle: invited by the organiser, then joined."""
    resident = resident or ResidentFactory()
    services.circle_invite(actor=organiser_of(circle), circle_id=circle.pk, resident_id=resident.pk)
    services.circle_join(actor=resident, circle_id=circle.pk)
    return resident


def make_moderator(circle: Circle, resident=None):
    resident = make_member(circle, resident)
    services.circle_role_set(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=resident.pk, role="moderator"
    )
    return resident


def moderated_circle(**values) -> Circle:
    return make_circle(visibility=Circle.Visibility.MODERATED, **values)


def invite_only_circle(**values) -> Circle:
    return make_circle(visibility=Circle.Visibility.INVITE_ONLY, **values)


# --- Joining an open circle ------------------------------------------------------------------------


def test_joining_an_open_circle_makes_a_member_who_is_in_its_chat():
    circle = make_circle()
    resident = ResidentFactory()

    membership = services.circle_join(actor=resident, circle_id=circle.pk)

    assert (membership.status, membership.role) == ("active", "member")
    assert membership.joined_at is not None
    assert room_role(circle, resident) == "member"
    assert resident in [
        m.resident for m in selectors.circle_members(circle_id=circle.pk, actor=resident)
    ]


def test_joining_twice_is_refused():
    circle = make_circle()
    resident = add_member(circle)

    with pytest.raises(Conflict) as refused:
        services.circle_join(actor=resident, circle_id=circle.pk)
    assert refused.value.code == "already_member"
    assert circle.memberships.filter(resident=resident).count() == 1


def test_joining_a_circle_that_does_not_exist_finds_nothing():
    with pytest.raises(NotFound):
        services.circle_join(actor=ResidentFactory(), circle_id=987_654)


# --- Asking to join a moderated circle ----------------------------------------------------------


def test_asking_to_join_a_moderated_circle_waits_and_tells_its_organiser_and_moderators(
    django_capture_on_commit_callbacks,
):
    circle = moderated_circle()
    organiser = organiser_of(circle)
    moderator = make_moderator(circle, ResidentFactory())
    plain = make_member(circle)
    asker = ResidentFactory(name="鈴木 一郎")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        membership = services.circle_join(actor=asker, circle_id=circle.pk)

    assert membership.status == "requested"
    assert room_role(circle, asker) is None
    assert callbacks  # the managers' sockets hear of it after the commit
    (title,) = told(organiser, REQUESTS)
    assert "鈴木 一郎" in title
    assert "書道の輪" in title
    assert len(told(moderator, REQUESTS)) == 1
    assert told(plain, REQUESTS) == []


def test_asking_twice_is_refused():
    circle = moderated_circle()
    asker = ResidentFactory()
    services.circle_join(actor=asker, circle_id=circle.pk)

    with pytest.raises(Conflict) as refused:
        services.circle_join(actor=asker, circle_id=circle.pk)
    assert refused.value.code == "requested"
    assert standing(circle, asker).status == "requested"


def test_an_approved_request_makes_a_member_in_the_chat_and_tells_them(
    django_capture_on_commit_callbacks,
):
    circle = moderated_circle()
    asker = ResidentFactory()
    services.circle_join(actor=asker, circle_id=circle.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.circle_request_decide(
            actor=organiser_of(circle), circle_id=circle.pk, resident_id=asker.pk, approve=True
        )

    assert standing(circle, asker).status == "active"
    assert room_role(circle, asker) == "member"
    assert len(told(asker, MEMBERSHIP)) == 1


def test_a_declined_request_is_forgotten_so_the_resident_may_ask_again(
    django_capture_on_commit_callbacks,
):
    circle = moderated_circle()
    asker = ResidentFactory()
    services.circle_join(actor=asker, circle_id=circle.pk)
    moderator = make_moderator(circle)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.circle_request_decide(
            actor=moderator, circle_id=circle.pk, resident_id=asker.pk, approve=False
        )

    assert result is None
    assert standing(circle, asker) is None
    assert room_role(circle, asker) is None
    assert len(told(asker, MEMBERSHIP)) == 1
    assert services.circle_join(actor=asker, circle_id=circle.pk).status == "requested"


def test_a_plain_member_cannot_decide_on_requests():
    circle = moderated_circle()
    member = make_member(circle)
    asker = ResidentFactory()
    services.circle_join(actor=asker, circle_id=circle.pk)

    with pytest.raises(Forbidden):
        services.circle_request_decide(
            actor=member, circle_id=circle.pk, resident_id=asker.pk, approve=True
        )
    assert standing(circle, asker).status == "requested"


def test_deciding_on_a_request_nobody_made_is_refused():
    circle = moderated_circle()
    member = add_member(make_circle())  # a member elsewhere
    organiser = organiser_of(circle)

    with pytest.raises(NotFound):
        services.circle_request_decide(
            actor=organiser, circle_id=circle.pk, resident_id=member.pk, approve=True
        )
    with pytest.raises(Conflict) as refused:
        services.circle_request_decide(
            actor=organiser, circle_id=circle.pk, resident_id=organiser.pk, approve=False
        )
    assert refused.value.code == "no_request"
    assert standing(circle, organiser).is_active


# --- Invitations and invite-only circles --------------------------------------------------------


def test_an_invite_only_circle_is_hidden_from_outsiders_and_cannot_be_joined_uninvited():
    circle = invite_only_circle()
    outsider = ResidentFactory()

    with pytest.raises(NotFound):
        selectors.circle_get(circle_id=circle.pk, actor=outsider)
    with pytest.raises(NotFound):
        services.circle_join(actor=outsider, circle_id=circle.pk)
    assert standing(circle, outsider) is None


def test_one_who_can_see_an_invite_only_circle_still_needs_an_invitation_to_join():
    # A guardian sees the circle their child is in, but is not invited themselves.
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    services.circle_update(
        actor=organiser_of(circle), circle_id=circle.pk, visibility=Circle.Visibility.INVITE_ONLY
    )

    with pytest.raises(Forbidden) as refused:
        services.circle_join(actor=link.guardian, circle_id=circle.pk)
    assert refused.value.code == "invite_only"
    assert standing(circle, link.guardian) is None


def test_an_invitation_shows_the_circle_to_the_invitee_who_accepts_by_joining(
    django_capture_on_commit_callbacks,
):
    circle = invite_only_circle()
    invitee = ResidentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.circle_invite(
            actor=organiser_of(circle), circle_id=circle.pk, resident_id=invitee.pk
        )

    assert invitation.status == "invited"
    assert invitation.added_by == organiser_of(circle)
    assert len(told(invitee, MEMBERSHIP)) == 1
    assert selectors.circle_get(circle_id=circle.pk, actor=invitee) == circle
    assert room_role(circle, invitee) is None

    membership = services.circle_join(actor=invitee, circle_id=circle.pk)
    assert membership.status == "active"
    assert room_role(circle, invitee) == "member"


def test_declining_an_invitation_forgets_it_and_hides_the_circle_again():
    circle = invite_only_circle()
    invitee = ResidentFactory()
    services.circle_invite(actor=organiser_of(circle), circle_id=circle.pk, resident_id=invitee.pk)

    services.circle_leave(actor=invitee, circle_id=circle.pk)

    assert standing(circle, invitee) is None
    with pytest.raises(NotFound):
        selectors.circle_get(circle_id=circle.pk, actor=invitee)


def test_inviting_someone_who_asked_lets_them_in():
    circle = moderated_circle()
    asker = ResidentFactory()
    services.circle_join(actor=asker, circle_id=circle.pk)

    membership = services.circle_invite(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=asker.pk
    )

    assert membership.status == "active"
    assert room_role(circle, asker) == "member"


def test_inviting_twice_keeps_one_invitation_and_tells_once(django_capture_on_commit_callbacks):
    circle = invite_only_circle()
    organiser, invitee = organiser_of(circle), ResidentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=invitee.pk)
        services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=invitee.pk)

    assert circle.memberships.filter(resident=invitee).count() == 1
    assert len(told(invitee, MEMBERSHIP)) == 1


@pytest.mark.parametrize(
    ("invitee", "error", "code"),
    [
        (make_member, Conflict, "already_member"),
        # A child answers as nobody, so that numbers do not tell who is a child.
        (lambda circle: ChildFactory(), NotFound, "not_found"),
        (lambda circle: None, NotFound, "not_found"),
    ],
    ids=["a member", "a child", "nobody"],
)
def test_invitations_that_cannot_be_made_are_refused(invitee, error, code):
    circle = invite_only_circle()
    organiser = organiser_of(circle)
    resident = invitee(circle)
    before = list(circle.memberships.values_list("resident_id", "status"))

    with pytest.raises(error) as refused:
        services.circle_invite(
            actor=organiser, circle_id=circle.pk, resident_id=resident.pk if resident else 424_242
        )

    assert refused.value.code == code
    assert list(circle.memberships.values_list("resident_id", "status")) == before


def test_a_plain_member_cannot_invite():
    circle = make_circle()
    member, friend = add_member(circle), ResidentFactory()

    with pytest.raises(Forbidden):
        services.circle_invite(actor=member, circle_id=circle.pk, resident_id=friend.pk)
    assert standing(circle, friend) is None


# --- Leaving ---------------------------------------------------------------------------------------


def test_a_member_who_leaves_is_out_of_the_chat_and_cannot_leave_twice():
    circle = make_circle()
    member = add_member(circle)

    services.circle_leave(actor=member, circle_id=circle.pk)

    assert standing(circle, member).status == "left"
    assert room_role(circle, member) is None
    with pytest.raises(NotFound) as refused:
        services.circle_leave(actor=member, circle_id=circle.pk)
    assert refused.value.code == "not_a_member"


def test_one_who_left_an_open_circle_may_come_back():
    circle = make_circle()
    member = add_member(circle)
    services.circle_leave(actor=member, circle_id=circle.pk)

    assert services.circle_join(actor=member, circle_id=circle.pk).status == "active"
    assert room_role(circle, member) == "member"


def test_withdrawing_a_request_forgets_it():
    circle = moderated_circle()
    asker = ResidentFactory()
    services.circle_join(actor=asker, circle_id=circle.pk)

    services.circle_leave(actor=asker, circle_id=circle.pk)

    assert standing(circle, asker) is None


def test_the_organiser_cannot_leave_without_naming_a_successor():
    circle = make_circle()
    organiser = organiser_of(circle)
    add_member(circle)

    with pytest.raises(Conflict) as refused:
        services.circle_leave(actor=organiser, circle_id=circle.pk)

    assert refused.value.code == "successor_required"
    assert standing(circle, organiser).role == "organiser"
    assert room_role(circle, organiser) == "moderator"


def test_the_organiser_of_a_closed_circle_may_leave_without_a_successor():
    circle = make_circle()
    organiser = organiser_of(circle)
    services.circle_close(actor=organiser, circle_id=circle.pk)

    services.circle_leave(actor=organiser, circle_id=circle.pk)

    assert standing(circle, organiser).status == "left"
    assert room_role(circle, organiser) is None


def test_an_organiser_leaving_with_a_successor_that_will_not_do_changes_nothing():
    circle = make_circle()
    organiser, child_free_outsider = organiser_of(circle), ResidentFactory()

    with pytest.raises(Invalid) as refused:
        services.circle_leave(
            actor=organiser, circle_id=circle.pk, successor_id=child_free_outsider.pk
        )

    assert refused.value.code == "successor_invalid"
    assert standing(circle, organiser).role == "organiser"
    assert standing(circle, organiser).is_active


# --- Handing on the organiser role ------------------------------------------------------------


def test_the_organiser_hands_on_the_role_and_stays_as_a_moderator(
    django_capture_on_commit_callbacks,
):
    circle = make_circle()
    organiser, successor = organiser_of(circle), add_member(circle)

    with django_capture_on_commit_callbacks(execute=True):
        services.circle_organiser_hand_on(
            actor=organiser, circle_id=circle.pk, successor_id=successor.pk
        )

    assert organiser_of(circle) == successor
    assert standing(circle, organiser).role == "moderator"
    assert room_role(circle, successor) == "moderator"
    assert room_role(circle, organiser) == "moderator"
    assert len(told(successor, MEMBERSHIP)) == 1
    # The new organiser runs the circle; the old one no longer can.
    services.circle_update(actor=successor, circle_id=circle.pk, name="新体制の会")
    with pytest.raises(Forbidden):
        services.circle_update(actor=organiser, circle_id=circle.pk, name="元に戻す")


@pytest.mark.parametrize("who", ["outsider", "invited", "left", "child", "self"])
def test_the_organiser_role_goes_only_to_another_active_adult_member(who):
    circle = circle_for_children()
    organiser = organiser_of(circle)
    if who == "outsider":
        successor = ResidentFactory()
    elif who == "invited":
        successor = vetted_adult()
        services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=successor.pk)
    elif who == "left":
        successor = add_member(circle, vetted_adult())
        services.circle_leave(actor=successor, circle_id=circle.pk)
    elif who == "child":
        link = guardian_with_child()
        services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
        successor = link.child
    else:
        successor = organiser

    with pytest.raises(Invalid) as refused:
        services.circle_organiser_hand_on(
            actor=organiser, circle_id=circle.pk, successor_id=successor.pk
        )

    assert refused.value.code == "successor_invalid"
    assert "successor_id" in refused.value.fields
    assert organiser_of(circle) == organiser


def test_a_circle_for_children_is_handed_only_to_a_vetted_successor():
    circle = circle_for_children()
    organiser = organiser_of(circle)
    unvetted, vetted = add_member(circle, vetted_adult()), add_member(circle, vetted_adult())
    expire_vetting(unvetted)  # members join vetted; a record can run out after

    with pytest.raises(Forbidden) as refused:
        services.circle_organiser_hand_on(
            actor=organiser, circle_id=circle.pk, successor_id=unvetted.pk
        )
    assert refused.value.code == "vetting_required"
    assert organiser_of(circle) == organiser
    assert standing(circle, unvetted).role == "member"

    services.circle_organiser_hand_on(actor=organiser, circle_id=circle.pk, successor_id=vetted.pk)
    assert organiser_of(circle) == vetted


def test_only_the_organiser_hands_the_role_on():
    circle = make_circle()
    moderator = make_moderator(circle)

    with pytest.raises(Forbidden):
        services.circle_organiser_hand_on(
            actor=moderator, circle_id=circle.pk, successor_id=moderator.pk
        )
    assert standing(circle, moderator).role == "moderator"


# --- Removing and banning -----------------------------------------------------------------------


def test_a_moderator_removes_a_member_who_leaves_the_chat_too():
    circle = make_circle()
    moderator, member = make_moderator(circle), add_member(circle)

    assert (
        services.circle_member_remove(actor=moderator, circle_id=circle.pk, resident_id=member.pk)
        is None
    )

    assert standing(circle, member).status == "left"
    assert room_role(circle, member) is None


def test_a_moderator_cannot_remove_another_moderator_but_the_organiser_can():
    circle = make_circle()
    first, second = make_moderator(circle), make_moderator(circle)

    with pytest.raises(Forbidden):
        services.circle_member_remove(actor=first, circle_id=circle.pk, resident_id=second.pk)
    assert standing(circle, second).role == "moderator"
    assert room_role(circle, second) == "moderator"

    services.circle_member_remove(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=second.pk
    )
    assert standing(circle, second).status == "left"
    assert standing(circle, second).role == "member"


@pytest.mark.parametrize("ban", [False, True])
def test_nobody_removes_or_bans_the_organiser(ban):
    circle = make_circle()
    organiser, moderator = organiser_of(circle), make_moderator(circle)

    with pytest.raises(Forbidden) as refused:
        services.circle_member_remove(
            actor=moderator, circle_id=circle.pk, resident_id=organiser.pk, ban=ban
        )

    assert refused.value.code == "organiser"
    assert standing(circle, organiser).role == "organiser"
    assert room_role(circle, organiser) == "moderator"


def test_a_plain_member_removes_nobody_and_a_manager_cannot_remove_themselves():
    circle = make_circle()
    member, other = add_member(circle), add_member(circle)

    with pytest.raises(Forbidden):
        services.circle_member_remove(actor=member, circle_id=circle.pk, resident_id=other.pk)
    organiser = organiser_of(circle)
    with pytest.raises(Invalid) as refused:
        services.circle_member_remove(
            actor=organiser, circle_id=circle.pk, resident_id=organiser.pk
        )
    assert refused.value.code == "self"
    assert standing(circle, other).is_active
    assert standing(circle, organiser).is_active


def test_removing_an_invited_resident_withdraws_the_invitation():
    circle = invite_only_circle()
    organiser, invitee = organiser_of(circle), ResidentFactory()
    services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=invitee.pk)

    services.circle_member_remove(actor=organiser, circle_id=circle.pk, resident_id=invitee.pk)

    assert standing(circle, invitee) is None


def test_removing_someone_who_is_not_in_the_circle_finds_nobody():
    circle = make_circle()
    with pytest.raises(NotFound):
        services.circle_member_remove(
            actor=organiser_of(circle), circle_id=circle.pk, resident_id=ResidentFactory().pk
        )


def test_a_banned_member_is_out_of_the_chat_and_can_neither_rejoin_nor_be_invited():
    circle = make_circle()
    organiser, troll = organiser_of(circle), add_member(circle)

    banned = services.circle_member_remove(
        actor=organiser, circle_id=circle.pk, resident_id=troll.pk, ban=True
    )

    assert banned.status == "banned"
    assert room_role(circle, troll) is None
    with pytest.raises(Forbidden) as refused:
        services.circle_join(actor=troll, circle_id=circle.pk)
    assert refused.value.code == "banned"
    with pytest.raises(Conflict) as refused:
        services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=troll.pk)
    assert refused.value.code == "banned"
    assert standing(circle, troll).status == "banned"
    with pytest.raises(NotFound):  # the chat is closed to them
        messaging.message_send(
            room_id=circle.room_id, author=troll, client_id=uuid.uuid4(), body="入れて"
        )


def test_a_resident_who_never_joined_may_be_banned_before_they_come():
    circle = make_circle()
    stranger = ResidentFactory()

    services.circle_member_remove(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=stranger.pk, ban=True
    )

    with pytest.raises(Forbidden):
        services.circle_join(actor=stranger, circle_id=circle.pk)


def test_an_unbanned_resident_may_join_again():
    circle = make_circle()
    organiser, troll = organiser_of(circle), add_member(circle)
    services.circle_member_remove(
        actor=organiser, circle_id=circle.pk, resident_id=troll.pk, ban=True
    )

    services.circle_unban(actor=organiser, circle_id=circle.pk, resident_id=troll.pk)

    assert standing(circle, troll) is None
    assert services.circle_join(actor=troll, circle_id=circle.pk).status == "active"


def test_unbanning_someone_who_is_not_banned_is_refused():
    circle = make_circle()
    member = add_member(circle)

    with pytest.raises(Conflict) as refused:
        services.circle_unban(
            actor=organiser_of(circle), circle_id=circle.pk, resident_id=member.pk
        )
    assert refused.value.code == "not_banned"
    assert standing(circle, member).is_active


# --- Roles -----------------------------------------------------------------------------------------


def test_the_organiser_makes_a_member_a_moderator_and_back_and_the_chat_follows():
    circle = make_circle()
    organiser, member = organiser_of(circle), add_member(circle)

    services.circle_role_set(
        actor=organiser, circle_id=circle.pk, resident_id=member.pk, role="moderator"
    )
    assert standing(circle, member).role == "moderator"
    assert room_role(circle, member) == "moderator"

    services.circle_role_set(
        actor=organiser, circle_id=circle.pk, resident_id=member.pk, role="member"
    )
    assert standing(circle, member).role == "member"
    assert room_role(circle, member) == "member"


@pytest.mark.parametrize("role", ["organiser", "admin", ""])
def test_roles_other_than_moderator_or_member_are_refused(role):
    circle = make_circle()
    member = add_member(circle)

    with pytest.raises(Invalid) as refused:
        services.circle_role_set(
            actor=organiser_of(circle), circle_id=circle.pk, resident_id=member.pk, role=role
        )
    assert "role" in refused.value.fields
    assert standing(circle, member).role == "member"


def test_only_the_organiser_gives_roles_and_the_organisers_own_cannot_be_changed():
    circle = make_circle()
    organiser, moderator, member = organiser_of(circle), make_moderator(circle), add_member(circle)

    with pytest.raises(Forbidden):
        services.circle_role_set(
            actor=moderator, circle_id=circle.pk, resident_id=member.pk, role="moderator"
        )
    with pytest.raises(Conflict) as refused:
        services.circle_role_set(
            actor=organiser, circle_id=circle.pk, resident_id=organiser.pk, role="member"
        )
    assert refused.value.code == "organiser"
    assert standing(circle, member).role == "member"
    assert standing(circle, organiser).role == "organiser"


def test_a_child_cannot_moderate():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    with pytest.raises(Forbidden) as refused:
        services.circle_role_set(
            actor=organiser_of(circle),
            circle_id=circle.pk,
            resident_id=link.child.pk,
            role="moderator",
        )
    assert refused.value.code == "child_moderator"
    assert standing(circle, link.child).role == "member"
    assert room_role(circle, link.child) == "member"


# --- Children, through their guardians ----------------------------------------------------------


def test_a_child_cannot_join_on_their_own():
    circle = circle_for_children()
    child = ChildFactory()

    with pytest.raises(Forbidden) as refused:
        services.circle_join(actor=child, circle_id=circle.pk)
    assert refused.value.code == "guardian_required"
    assert standing(circle, child) is None


def test_a_guardian_joins_their_child_who_is_shown_by_given_name_and_the_guardian_reads_along():
    circle = circle_for_children()
    link = GuardianLinkFactory(child=ChildFactory(name="佐藤 陽葵", given_name="陽葵"))
    member = add_member(circle, vetted_adult())

    membership = services.circle_join(
        actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk
    )

    assert membership.is_active
    assert membership.added_by == link.guardian
    assert room_role(circle, link.child) == "member"
    assert room_role(circle, link.guardian) == "reader"
    names = [
        m.resident.display_name for m in selectors.circle_members(circle_id=circle.pk, actor=member)
    ]
    assert "陽葵" in names
    assert "佐藤 陽葵" not in names
    # The guardian reads the circle for the child, but does not speak in it.
    thread = services.thread_create(actor=member, circle_id=circle.pk, title="次回", body="…")
    assert selectors.member_standing(circle=circle, actor=link.guardian, reading=True)
    assert list(selectors.thread_list(circle_id=circle.pk, actor=link.guardian)) == [thread]
    assert (
        selectors.thread_detail(circle_id=circle.pk, thread_id=thread.pk, actor=link.guardian)
        == thread
    )
    with pytest.raises(Forbidden) as refused:
        services.thread_create(actor=link.guardian, circle_id=circle.pk, title="親です", body="…")
    assert refused.value.code == "not_a_member"
    with pytest.raises(Forbidden):
        services.reply_create(actor=link.guardian, thread_id=thread.pk, body="…")
    with pytest.raises(Forbidden):
        messaging.message_send(
            room_id=circle.room_id, author=link.guardian, client_id=uuid.uuid4(), body="こんにちは"
        )


def test_a_vetted_adult_asks_to_join_an_open_circle_for_children_and_the_organiser_decides(
    django_capture_on_commit_callbacks,
):
    circle = circle_for_children()
    adult = vetted_adult()

    membership = services.circle_join(actor=adult, circle_id=circle.pk)

    assert membership.status == "requested"
    assert room_role(circle, adult) is None
    services.circle_request_decide(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=adult.pk, approve=True
    )
    assert standing(circle, adult).is_active
    assert room_role(circle, adult) == "member"


def test_a_guardian_cannot_join_their_child_to_a_circle_not_for_children():
    circle = make_circle()
    link = guardian_with_child()

    with pytest.raises(Forbidden) as refused:
        services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    assert refused.value.code == "not_for_children"
    assert standing(circle, link.child) is None


def test_an_adult_cannot_join_someone_elses_child_or_another_adult():
    circle = circle_for_children()
    stranger, child, adult = ResidentFactory(), ChildFactory(), ResidentFactory()

    for resident in (child, adult):
        with pytest.raises(NotFound):
            services.circle_join(actor=stranger, circle_id=circle.pk, resident_id=resident.pk)
        assert standing(circle, resident) is None


def test_a_guardians_request_for_their_child_names_the_child_by_given_name_only(
    django_capture_on_commit_callbacks,
):
    circle = circle_for_children(visibility=Circle.Visibility.MODERATED)
    link = GuardianLinkFactory(child=ChildFactory(name="佐藤 陽葵", given_name="陽葵"))

    with django_capture_on_commit_callbacks(execute=True):
        membership = services.circle_join(
            actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk
        )

    assert membership.status == "requested"
    (title,) = told(organiser_of(circle), REQUESTS)
    assert "陽葵" in title
    assert "佐藤" not in title


def test_a_guardian_takes_their_child_out_and_stops_reading_the_chat():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    services.circle_leave(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    assert standing(circle, link.child).status == "left"
    assert room_role(circle, link.child) is None
    assert room_role(circle, link.guardian) is None
    with pytest.raises(Forbidden):
        selectors.thread_list(circle_id=circle.pk, actor=link.guardian)


def test_my_circles_lists_a_childs_standing_for_their_guardian():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    (entry,) = selectors.my_circles(resident=link.guardian)

    assert (entry.circle, entry.resident) == (circle, link.child)
    assert CircleMember.objects.filter(resident=link.guardian).count() == 0


def test_a_guardian_who_leaves_the_circle_still_reads_the_chat_for_their_child():
    circle = circle_for_children()
    link = guardian_with_child()
    add_member(circle, vetted_adult_from(link.guardian))
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    assert room_role(circle, link.guardian) == "member"

    services.circle_leave(actor=link.guardian, circle_id=circle.pk)

    assert standing(circle, link.guardian).status == "left"
    assert room_role(circle, link.guardian) == "reader"
    assert room_role(circle, link.child) == "member"
