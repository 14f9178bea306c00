"""``circle_abilities``: what a viewer may do in a circle, the one answer the circle pages
render.  Each flag is checked against the service that would act: where the selector says yes
the service takes it, where it says no the service refuses — so that no page offers a button
that ends in a refusal.  And the children a guardian acts for, which safeguarding decides."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campus_social.common.errors import Conflict, Forbidden, Invalid
from communities import selectors, services
from communities.models import Circle, CircleMember
from tests.communities.builders import (
    circle_for_children,
    expire_vetting,
    guardian_with_child,
    standing,
    vetted_adult,
    vetted_adult_from,
)
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory, years_ago

pytestmark = pytest.mark.django_db

Status = CircleMember.Status


def abilities(circle: Circle, resident) -> selectors.CircleAbilities:
    circle.refresh_from_db()
    return selectors.circle_abilities(circle=circle, actor=resident)


def rows_by_resident(circle: Circle, viewer) -> dict[int, selectors.MemberAbilities]:
    members = selectors.circle_members(circle_id=circle.pk, actor=viewer)
    return {row.member.resident_id: row for row in abilities(circle, viewer).on_members(members)}


def grow_up(resident) -> None:
    """The resident turned 19: the guardian link stays, the childhood does not."""
    resident.birth_date = years_ago(19)
    resident.save(update_fields=["birth_date"])


# --- Joining --------------------------------------------------------------------------------------


def test_an_open_circle_for_adults_is_joined_at_once_and_a_moderated_one_on_request():
    open_circle = make_circle()
    moderated = make_circle(visibility=Circle.Visibility.MODERATED)
    adult = ResidentFactory()

    assert abilities(open_circle, adult).may_join
    assert not abilities(open_circle, adult).join_asks
    assert abilities(moderated, adult).join_asks
    assert services.circle_join(actor=adult, circle_id=open_circle.pk).status == Status.ACTIVE
    assert services.circle_join(actor=adult, circle_id=moderated.pk).status == Status.REQUESTED


def test_an_unvetted_adult_is_not_offered_to_join_a_circle_for_children_and_is_refused():
    circle = circle_for_children()
    adult = ResidentFactory()

    assert not abilities(circle, adult).may_join
    with pytest.raises(Forbidden) as refused:
        services.circle_join(actor=adult, circle_id=circle.pk)
    assert refused.value.code == "vetting_required"

    vetted_adult_from(adult)
    assert abilities(circle, adult).may_join
    assert abilities(circle, adult).join_asks  # an open circle for children still asks
    assert services.circle_join(actor=adult, circle_id=circle.pk).status == Status.REQUESTED


def test_an_invited_adult_whose_vetting_ran_out_is_not_offered_to_accept():
    circle = circle_for_children()
    invitee = vetted_adult()
    services.circle_invite(actor=organiser_of(circle), circle_id=circle.pk, resident_id=invitee.pk)
    assert abilities(circle, invitee).may_join

    expire_vetting(invitee)

    assert not abilities(circle, invitee).may_join
    with pytest.raises(Forbidden):
        services.circle_join(actor=invitee, circle_id=circle.pk)


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.REQUESTED, Status.BANNED])
def test_no_join_is_offered_to_a_member_one_who_asked_or_one_banned(status):
    circle = make_circle(visibility=Circle.Visibility.MODERATED)
    adult = ResidentFactory()
    CircleMember.objects.create(circle=circle, resident=adult, status=status)

    assert not abilities(circle, adult).may_join
    with pytest.raises((Conflict, Forbidden)):
        services.circle_join(actor=adult, circle_id=circle.pk)


def test_only_the_invited_are_offered_to_join_an_invite_only_circle():
    circle = make_circle(visibility=Circle.Visibility.INVITE_ONLY)
    invitee = ResidentFactory()

    assert not abilities(circle, ResidentFactory()).may_join
    services.circle_invite(actor=organiser_of(circle), circle_id=circle.pk, resident_id=invitee.pk)
    assert abilities(circle, invitee).may_join


def test_a_child_joins_only_through_a_guardian():
    circle = circle_for_children()
    child = guardian_with_child().child

    seen = abilities(circle, child)

    assert seen.joins_through_guardian
    assert not seen.may_join
    with pytest.raises(Forbidden) as refused:
        services.circle_join(actor=child, circle_id=circle.pk)
    assert refused.value.code == "guardian_required"


def test_nobody_joins_and_nothing_is_managed_in_a_closed_circle():
    circle = make_circle()
    organiser = organiser_of(circle)
    services.circle_close(actor=organiser, circle_id=circle.pk)

    assert not abilities(circle, ResidentFactory()).may_join
    closed = abilities(circle, organiser)
    assert closed.manages
    flags = (closed.may_close, closed.may_hand_on, closed.may_invite, closed.may_post)
    assert flags == (False, False, False, False)


# --- A guardian's children ---------------------------------------------------------------------


def test_a_guardian_is_offered_to_join_their_children_but_not_a_ward_who_grew_up():
    circle = circle_for_children()
    link = guardian_with_child()
    grown = ChildFactory()
    GuardianLinkFactory(guardian=link.guardian, child=grown)
    grow_up(grown)

    seen = abilities(circle, link.guardian)

    assert [ward.resident for ward in seen.wards] == [link.child]
    assert seen.joinable_wards == [link.child]
    assert not seen.wards_join_asks
    with pytest.raises(Forbidden) as refused:
        services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=grown.pk)
    assert refused.value.code == "adult"


def test_a_childs_row_says_whether_to_join_take_out_or_nothing():
    circle = circle_for_children(visibility=Circle.Visibility.MODERATED)
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    (asked,) = abilities(circle, link.guardian).wards
    assert abilities(circle, link.guardian).wards_join_asks
    assert (asked.may_join, asked.may_leave) == (False, True)

    services.circle_request_decide(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=link.child.pk, approve=True
    )
    services.circle_leave(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    (left,) = abilities(circle, link.guardian).wards
    assert (left.may_join, left.may_leave) == (True, False)


def test_no_child_is_offered_for_a_circle_for_adults():
    link = guardian_with_child()

    assert abilities(make_circle(), link.guardian).wards == ()


# --- Reading and posting -------------------------------------------------------------------------


def test_a_guardian_reads_their_childs_circle_but_does_not_post():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    guardian = abilities(circle, link.guardian)
    outsider = abilities(circle, ResidentFactory())

    assert (guardian.reads, guardian.is_member, guardian.may_post) == (True, False, False)
    assert (outsider.reads, outsider.may_post) == (False, False)


def test_a_member_whose_vetting_ran_out_reads_but_is_not_offered_to_post_where_children_are():
    circle = circle_for_children()
    member = add_member(circle, vetted_adult())
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    assert abilities(circle, member).may_post

    expire_vetting(member)

    seen = abilities(circle, member)
    assert (seen.reads, seen.may_post) == (True, False)
    with pytest.raises(Forbidden):
        services.thread_create(actor=member, circle_id=circle.pk, title="題", body="本文")


def test_posting_is_limited_only_where_children_are_members_as_the_service_does():
    circle = circle_for_children()
    organiser = organiser_of(circle)
    expire_vetting(organiser)  # no child has joined yet

    assert abilities(circle, organiser).may_post
    services.thread_create(actor=organiser, circle_id=circle.pk, title="題", body="本文")


# --- The members page: roles, removing, handing on, requests --------------------------------------


def test_only_an_adult_whom_the_rule_lets_moderate_is_offered_to_moderate_or_organise():
    circle = circle_for_children()
    organiser = organiser_of(circle)
    vetted = add_member(circle, vetted_adult())
    lapsed = add_member(circle, vetted_adult())
    expire_vetting(lapsed)
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    rows = rows_by_resident(circle, organiser)

    assert (rows[vetted.pk].may_make_moderator, rows[vetted.pk].may_succeed) == (True, True)
    assert (rows[lapsed.pk].may_make_moderator, rows[lapsed.pk].may_succeed) == (False, False)
    child_row = rows[link.child.pk]
    assert (child_row.may_make_moderator, child_row.may_succeed) == (False, False)
    assert not rows[organiser.pk].changes_role
    with pytest.raises(Forbidden) as lapsed_refused:
        services.circle_role_set(
            actor=organiser, circle_id=circle.pk, resident_id=lapsed.pk, role="moderator"
        )
    with pytest.raises(Forbidden) as child_refused:
        services.circle_role_set(
            actor=organiser, circle_id=circle.pk, resident_id=link.child.pk, role="moderator"
        )
    with pytest.raises(Forbidden):
        services.circle_organiser_hand_on(
            actor=organiser, circle_id=circle.pk, successor_id=lapsed.pk
        )
    with pytest.raises(Invalid):
        services.circle_organiser_hand_on(
            actor=organiser, circle_id=circle.pk, successor_id=link.child.pk
        )
    assert (lapsed_refused.value.code, child_refused.value.code) == (
        "vetting_required",
        "child_moderator",
    )
    services.circle_role_set(
        actor=organiser, circle_id=circle.pk, resident_id=vetted.pk, role="moderator"
    )
    assert rows_by_resident(circle, organiser)[vetted.pk].may_make_member


def test_a_moderator_removes_members_but_not_other_moderators_nor_the_organiser():
    circle = make_circle()
    organiser = organiser_of(circle)
    moderator, other_moderator, member = (add_member(circle) for _ in range(3))
    for person in (moderator, other_moderator):
        services.circle_role_set(
            actor=organiser, circle_id=circle.pk, resident_id=person.pk, role="moderator"
        )

    rows = rows_by_resident(circle, moderator)

    assert rows[member.pk].may_remove
    assert not rows[other_moderator.pk].may_remove
    assert not rows[organiser.pk].may_remove
    assert not rows[moderator.pk].may_remove  # oneself: "Leave" instead
    assert not any(row.changes_role or row.may_succeed for row in rows.values())
    assert rows_by_resident(circle, organiser)[other_moderator.pk].may_remove
    with pytest.raises(Forbidden):
        services.circle_member_remove(
            actor=moderator, circle_id=circle.pk, resident_id=other_moderator.pk
        )


def test_a_plain_member_is_offered_nothing_over_others():
    circle = make_circle()
    member = add_member(circle)
    add_member(circle)

    rows = rows_by_resident(circle, member)

    assert not any(
        row.may_remove or row.changes_role or row.may_succeed or row.may_decide
        for row in rows.values()
    )


def test_a_request_is_answered_but_not_approved_once_the_askers_vetting_ran_out():
    circle = circle_for_children()
    organiser = organiser_of(circle)
    asker = vetted_adult()
    services.circle_join(actor=asker, circle_id=circle.pk)
    pending = selectors.circle_pending(circle_id=circle.pk, actor=organiser)
    (row,) = abilities(circle, organiser).on_members(pending)
    assert (row.may_decide, row.may_approve) == (True, True)

    expire_vetting(asker)

    (row,) = abilities(circle, organiser).on_members(pending)
    assert (row.may_decide, row.may_approve) == (True, False)
    with pytest.raises(Forbidden):
        services.circle_request_decide(
            actor=organiser, circle_id=circle.pk, resident_id=asker.pk, approve=True
        )
    services.circle_request_decide(
        actor=organiser, circle_id=circle.pk, resident_id=asker.pk, approve=False
    )
    assert standing(circle, asker) is None


def test_the_members_abilities_cost_the_same_queries_for_2_or_20_members():
    circle = circle_for_children()
    organiser = organiser_of(circle)
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    viewer = abilities(circle, organiser)

    def cost(count: int) -> int:
        for _ in range(count):
            add_member(circle, vetted_adult())
        members = list(selectors.circle_members(circle_id=circle.pk, actor=organiser))
        with CaptureQueriesContext(connection) as queries:
            viewer.on_members(members)
        return len(queries)

    assert cost(1) == cost(18) == 1  # the vetting of the adults; nobody is a guardian here


# --- Who acts for a child: leaving and answering for a meeting ----------------------------------


def test_a_guardian_no_longer_takes_a_ward_who_grew_up_out_of_a_circle_nor_answers_for_them():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    event = services.event_create(
        actor=organiser_of(circle),
        circle_id=circle.pk,
        title="月例の会",
        description="",
        place="公民館",
        starts_at=timezone.now() + timedelta(days=7),
        ends_at=timezone.now() + timedelta(days=7, hours=2),
    )
    grow_up(link.child)

    with pytest.raises(Forbidden) as leaving:
        services.circle_leave(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    with pytest.raises(Forbidden) as answering:
        services.rsvp_set(
            actor=link.guardian, event_id=event.pk, answer="yes", resident_id=link.child.pk
        )

    assert (leaving.value.code, answering.value.code) == ("adult", "adult")
    assert standing(circle, link.child).status == Status.ACTIVE
    services.circle_leave(actor=link.child, circle_id=circle.pk)  # they leave by themselves
    assert standing(circle, link.child).status == Status.LEFT
