"""Issue #9: memberships made before the safeguarding rule are put right.

In a circle for children, an adult takes part only with a current vetting record (or reads
along as the guardian of a child member).  So, in each circle for children:

- a moderator without a current record becomes a plain member (in the chat room too);
- an adult member without one, who joined by themselves, leaves: out of the chat room, or —
  when they are the guardian of a child member — reading it as ``reader``, as a guardian does.

Untouched: the organiser (a circle needs one; an organiser whose record ran out cannot post
until it is renewed, and hands on with ``circle_organiser_hand_on``), children, vetted adults,
and members who came with a seat in the circle's course (``via_offering``: the course decides
who sits together; the posting rule still holds for them where children are).  Requests and
invitations of unvetted adults are forgotten: nobody could approve them any more.
"""

from datetime import date
from typing import Any

from django.db import migrations
from django.utils import timezone

CHILD_UNTIL_AGE = 18  # as campus_social.identity.models, frozen for this migration


def _is_child(birth_date: date | None, today: date) -> bool:
    if birth_date is None:
        return False
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday) < CHILD_UNTIL_AGE


def demote_unvetted_adults(apps: Any, schema_editor: Any) -> None:
    circle_model = apps.get_model("communities", "Circle")
    member_model = apps.get_model("communities", "CircleMember")
    room_member_model = apps.get_model("messaging", "RoomMember")
    vetting_model = apps.get_model("safeguarding", "VettingRecord")
    link_model = apps.get_model("identity", "GuardianLink")
    today = timezone.localdate()
    vetted = set(
        vetting_model.objects.filter(checked_on__lte=today, expires_on__gte=today).values_list(
            "resident_id", flat=True
        )
    )
    for circle in circle_model.objects.filter(for_children=True).order_by("pk"):
        members = list(member_model.objects.filter(circle=circle).select_related("resident"))
        children = {
            m.resident_id
            for m in members
            if m.status == "active" and _is_child(m.resident.birth_date, today)
        }
        for membership in members:
            resident_id = membership.resident_id
            if (
                membership.role == "organiser"
                or resident_id in vetted
                or _is_child(membership.resident.birth_date, today)
            ):
                continue
            if membership.status in ("requested", "invited"):
                membership.delete()
                continue
            if membership.status != "active":
                continue
            in_room = room_member_model.objects.filter(room_id=circle.room_id, resident_id=resident_id)
            if membership.role == "moderator":
                membership.role = "member"
                membership.save(update_fields=["role"])
                in_room.filter(role="moderator").update(role="member")
            if membership.via_offering:
                continue
            membership.status = "left"
            membership.save(update_fields=["status"])
            guards = link_model.objects.filter(guardian_id=resident_id, child_id__in=children)
            if circle.room_id is not None and guards.exists():
                in_room.update(role="reader")
            else:
                in_room.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_initial"),
        ("courses", "0002_move_vetting_to_safeguarding"),
        ("identity", "0001_initial"),
        ("messaging", "0002_room_last_message_at"),
        ("safeguarding", "0001_initial"),
    ]

    operations = [migrations.RunPython(demote_unvetted_adults, migrations.RunPython.noop)]
