"""Reads of safeguarding, and the one rule on how an adult takes part where children are.

``child_contact`` is that rule.  Messaging (rooms) and communities (circles) both ask it, so
that "may this adult write to these children?" has one answer everywhere.
"""

from collections.abc import Iterable
from datetime import date
from enum import IntEnum

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.common.errors import Forbidden
from campus_social.identity.models import GuardianLink, Resident
from campus_social.safeguarding.models import VettingRecord


def resident_is_vetted(resident: object, *, on: date | None = None) -> bool:
    """Whether the resident holds a vetting record current ``on`` (today): the check for
    anyone who works with children, lecturer or not."""
    if not isinstance(resident, Resident):
        return False
    on = on or timezone.localdate()
    return VettingRecord.objects.filter(
        resident=resident, checked_on__lte=on, expires_on__gte=on
    ).exists()


def vetted_resident_ids(resident_ids: Iterable[int], *, on: date | None = None) -> set[int]:
    """Which of these residents hold a current vetting record, in one query."""
    on = on or timezone.localdate()
    return set(
        VettingRecord.objects.filter(
            resident_id__in=list(resident_ids), checked_on__lte=on, expires_on__gte=on
        ).values_list("resident_id", flat=True)
    )


def vetting_records(*, resident: Resident) -> QuerySet[VettingRecord]:
    """The resident's vetting records, the longest-running first."""
    return VettingRecord.objects.filter(resident=resident)


class Participation(IntEnum):
    """How far someone may take part; each level includes the ones below."""

    NONE = 0
    READ = 1
    POST = 2
    MODERATE = 3


def child_contact(
    *,
    resident: Resident,
    children: Iterable[Resident],
    for_children: bool = False,
    on: date | None = None,
) -> Participation:
    """How the resident may take part in a room or circle whose child members are
    ``children`` (``for_children``: one meant for children, even before any has joined).

    - Where no child is (nor is meant to be), nothing here limits anyone.
    - A child takes part and posts (a child never moderates: the owning apps say so).
    - An adult with a current vetting record posts and may moderate.
    - An adult who is the guardian of a child member reads along, and does not post.
    - Any other adult does not take part — whatever an organiser decided.

    Direct rooms are not asked: there a child talks only with their own guardian
    (``messaging.services.direct_room_open``).
    """
    children = [child for child in children if child.is_child]
    if not children and not for_children:
        return Participation.MODERATE
    if resident.is_child:
        return Participation.POST
    if resident_is_vetted(resident, on=on):
        return Participation.MODERATE
    if (
        children
        and GuardianLink.objects.filter(
            guardian=resident, child_id__in=[child.pk for child in children]
        ).exists()
    ):
        return Participation.READ
    return Participation.NONE


def require_child_contact(
    *,
    resident: Resident,
    children: Iterable[Resident],
    need: Participation,
    for_children: bool = False,
    on: date | None = None,
) -> None:
    """``child_contact`` as a check: ``Forbidden`` (code ``vetting_required``) when the resident
    may not take part as far as ``need``.  No caller can override it."""
    level = child_contact(resident=resident, children=children, for_children=for_children, on=on)
    if level >= need:
        return
    if need >= Participation.MODERATE:
        message = _("Only an adult with a current vetting record may moderate where children are.")
    elif level == Participation.READ:
        message = _(
            "Where children are, a guardian reads along but does not write. "
            "To write, you need a current vetting record."
        )
    else:
        message = _(
            "Where children are, an adult takes part only with a current vetting record "
            "(or reads along as a child's guardian)."
        )
    raise Forbidden(message, code="vetting_required")
