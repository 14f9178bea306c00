"""Direct conversations: a resident opens the direct room with another resident.

Checked against the acting resident (the REST view calls it on their behalf): ``messaging`` owns
a direct room's subject — the two people — itself, so no other app makes these rooms.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import Forbidden, NotFound
from campus_social.identity.models import Resident
from campus_social.safeguarding.selectors import require_direct_contact
from messaging.models import Room, RoomMember


def direct_room_open(*, resident: Resident, other_id: int) -> tuple[Room, bool]:
    """The direct room of two residents, opened if new.

    Safeguarding: a child talks directly only with their own guardian, and an adult never with
    someone else's child (answered as not found, so children cannot be discovered this way).
    Such a refusal is written to the audit log (``room.direct_refused``) before it is raised:
    the city wants to know who reached for a child.
    """
    other = Resident.objects.filter(pk=other_id, is_active=True).first() if other_id else None
    if other is None or other.pk == resident.pk:
        raise NotFound(_("No such resident."))
    try:
        require_direct_contact(resident=resident, other=other)
    except (NotFound, Forbidden) as refusal:
        audit_record(
            actor=resident,
            action="room.direct_refused",
            target=other,
            detail={"code": refusal.code},
        )
        raise
    low, high = sorted((resident.pk, other.pk))
    with transaction.atomic():
        room, created = Room.objects.get_or_create(
            subject_key=f"direct:{low}:{high}", defaults={"kind": Room.Kind.DIRECT}
        )
        for person in (resident, other):
            RoomMember.objects.get_or_create(room=room, resident=person)
    return room, created
