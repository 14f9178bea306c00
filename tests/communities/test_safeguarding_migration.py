"""Migration ``communities.0002``: memberships that broke the safeguarding rule before it held
are put right (its function, run on rows written as the old code let them be)."""

import importlib

import pytest
from django.apps import apps

from communities.models import Circle, CircleMember
from messaging.models import RoomMember
from tests.communities.builders import circle_for_children, expire_vetting, vetted_adult
from tests.communities.factories import make_circle, organiser_of
from tests.factories import GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "communities.migrations.0002_unvetted_adults_step_out_of_circles_for_children"
)


def old_membership(circle: Circle, resident, *, role: str = "member", status: str = "active", **f):
    """A row as the code before the rule let an organiser make it."""
    CircleMember.objects.create(circle=circle, resident=resident, role=role, status=status, **f)
    if status == "active":
        room_role = "moderator" if role in ("moderator", "organiser") else "member"
        RoomMember.objects.update_or_create(
            room=circle.room, resident=resident, defaults={"role": room_role}
        )
    return resident


def row(circle: Circle, resident) -> tuple[str, str] | None:
    membership = CircleMember.objects.filter(circle=circle, resident=resident).first()
    return None if membership is None else (membership.status, membership.role)


def room_role(circle: Circle, resident) -> str | None:
    member = RoomMember.objects.filter(room=circle.room, resident=resident).first()
    return None if member is None else member.role


def test_the_migration_takes_unvetted_adults_out_of_circles_for_children():
    circle = circle_for_children(name="こども書き初めクラブ")
    link = GuardianLinkFactory()
    old_membership(circle, link.child, added_by=link.guardian)
    RoomMember.objects.create(room=circle.room, resident=link.guardian, role="reader")
    moderator = old_membership(circle, ResidentFactory(), role="moderator")
    stranger = old_membership(circle, ResidentFactory())
    parent_member = old_membership(circle, link.guardian)
    vetted_moderator = old_membership(circle, vetted_adult(), role="moderator")
    cohort = old_membership(circle, ResidentFactory(), via_offering=True)
    asking = old_membership(circle, ResidentFactory(), status="requested")
    organiser = organiser_of(circle)
    expire_vetting(organiser)
    adults_only = make_circle()
    adult_moderator = old_membership(adults_only, ResidentFactory(), role="moderator")

    migration.demote_unvetted_adults(apps, None)

    assert (row(circle, moderator), room_role(circle, moderator)) == (("left", "member"), None)
    assert (row(circle, stranger), room_role(circle, stranger)) == (("left", "member"), None)
    # The guardian stops taking part in their own name, and reads along for their child.
    assert (row(circle, parent_member), room_role(circle, parent_member)) == (
        ("left", "member"),
        "reader",
    )
    assert row(circle, asking) is None
    assert row(circle, cohort) == ("active", "member")
    assert row(circle, vetted_moderator) == ("active", "moderator")
    assert room_role(circle, vetted_moderator) == "moderator"
    assert row(circle, organiser) == ("active", "organiser")
    assert row(circle, link.child) == ("active", "member")
    assert row(adults_only, adult_moderator) == ("active", "moderator")


def test_the_migration_changes_nothing_the_second_time():
    circle = circle_for_children()
    old_membership(circle, ResidentFactory(), role="moderator")
    migration.demote_unvetted_adults(apps, None)
    before = list(CircleMember.objects.values_list("resident_id", "status", "role"))

    migration.demote_unvetted_adults(apps, None)

    assert list(CircleMember.objects.values_list("resident_id", "status", "role")) == before
