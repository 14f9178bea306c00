"""Reads of safeguarding, and the rules on contact with children, each in one place.

- ``child_contact``: how an adult takes part where children are (rooms, circles, courses);
- ``direct_contact``: who talks directly with a child;
- ``acting_for``: who acts for a child (enrolling, joining, leaving, answering for them);
- ``acts_through_guardian`` and ``may_lead``: what a child does only through a guardian, and
  the roles over others that only an adult takes;
- ``visible_name`` and ``visible_grade``: what others see of a child.

Courses, circles, messaging and the pages ask these, so that each question about children has
one answer everywhere.  The README lists every rule and its callers.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from campus_social.common.errors import Forbidden, NotFound
from campus_social.identity.models import GuardianLink, Resident
from campus_social.identity.selectors import (
    child_grade,
    child_grades,
    child_q,
    resident_children,
    resident_is_guardian_of,
)
from campus_social.identity.values import grade_label
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


def child_contacts(
    *,
    residents: Iterable[Resident],
    children: Iterable[Resident],
    for_children: bool = False,
    on: date | None = None,
) -> dict[int, Participation]:
    """``child_contact`` for many residents at once (by id), in at most two queries: for a page
    that offers a role to each member of a list."""
    residents = list(residents)
    children = [child for child in children if child.is_child]
    if not children and not for_children:
        return {resident.pk: Participation.MODERATE for resident in residents}
    adults = [resident.pk for resident in residents if not resident.is_child]
    vetted = vetted_resident_ids(adults, on=on) if adults else set()
    unvetted = [pk for pk in adults if pk not in vetted]
    guardians = (
        set(
            GuardianLink.objects.filter(
                guardian_id__in=unvetted, child_id__in=[child.pk for child in children]
            ).values_list("guardian_id", flat=True)
        )
        if unvetted and children
        else set()
    )
    levels: dict[int, Participation] = {}
    for resident in residents:
        if resident.is_child:
            levels[resident.pk] = Participation.POST
        elif resident.pk in vetted:
            levels[resident.pk] = Participation.MODERATE
        elif resident.pk in guardians:
            levels[resident.pk] = Participation.READ
        else:
            levels[resident.pk] = Participation.NONE
    return levels


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
    - A child takes part and posts (a child never moderates: ``may_lead``).
    - An adult with a current vetting record posts and may moderate.
    - An adult who is the guardian of a child member reads along, and does not post.
    - Any other adult does not take part — whatever an organiser decided.

    Direct rooms are not asked: there ``direct_contact`` decides.
    """
    return child_contacts(
        residents=[resident], children=children, for_children=for_children, on=on
    )[resident.pk]


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


# --- Who talks directly with a child ------------------------------------------------------------


class DirectContact(StrEnum):
    """Whether two residents may talk in a room of their own, and if not, why."""

    OPEN = "open"  # two adults, or a child and their own guardian
    CHILDREN = "children"  # two children: never directly, only where an adult moderates
    NOT_THEIR_GUARDIAN = "not_their_guardian"  # a child asking an adult who is not theirs
    SOMEONE_ELSES_CHILD = "someone_elses_child"  # an adult asking for a child not theirs


def direct_contact(*, resident: Resident, other: Resident) -> DirectContact:
    """May ``resident`` talk directly with ``other``?  A child talks directly only with their
    own guardian; an adult never with someone else's child."""
    if not (resident.is_child or other.is_child):
        return DirectContact.OPEN
    if resident.is_child and other.is_child:
        return DirectContact.CHILDREN
    child, adult = (resident, other) if resident.is_child else (other, resident)
    if resident_is_guardian_of(guardian=adult, child=child):
        return DirectContact.OPEN
    if adult is resident:
        return DirectContact.SOMEONE_ELSES_CHILD
    return DirectContact.NOT_THEIR_GUARDIAN


def require_direct_contact(*, resident: Resident, other: Resident) -> None:
    """``direct_contact`` as a check.  An adult asking for someone else's child is answered as
    if nobody had that number (``NotFound``), so that children cannot be discovered this way;
    a child is told why (``Forbidden``)."""
    contact = direct_contact(resident=resident, other=other)
    if contact == DirectContact.SOMEONE_ELSES_CHILD:
        raise NotFound(_("No such resident."))
    if contact == DirectContact.CHILDREN:
        raise Forbidden(_("Children cannot open direct conversations."), code="forbidden")
    if contact == DirectContact.NOT_THEIR_GUARDIAN:
        raise Forbidden(_("You can send direct messages only to your guardian."), code="forbidden")


# --- What a child does only through a guardian, and who acts for a child ------------------------


def acts_through_guardian(*, resident: Resident) -> bool:
    """A child commits to nothing by themselves — enrolling, joining a circle — but through a
    guardian.  (Leaving, answering an invitation to a meeting and posting they do themselves:
    ``acting_for`` lets each caller say which.)"""
    return resident.is_child


def may_lead(*, resident: Resident) -> bool:
    """Roles that answer for others — teaching, organising or moderating a circle or a room,
    starting a circle — are for adults only; where children are, ``child_contact`` asks a
    current vetting record on top."""
    return not resident.is_child


@dataclass(frozen=True)
class ActingRefusals:
    """How a caller words the refusals of ``acting_for`` in its own terms (the codes are part of
    the API: ``guardian_required`` for a child acting alone, ``adult_code`` for an adult named).

    ``child_alone``: the refusal when a child acts for themselves; ``None`` where a child may
    (leaving, answering for a meeting)."""

    child_alone: str | Promise | None = None
    adult: str | Promise | None = None  # by default: "Adults act for themselves."
    adult_code: str = "adult"


def acting_for(
    *, actor: Resident, child_id: int | None, refusals: ActingRefusals | None = None
) -> Resident:
    """Whom the actor acts for: themselves (``child_id`` ``None`` or their own id), or a child
    whose guardian they are.

    - A child acting for themselves where a guardian must: ``Forbidden`` ``guardian_required``
      (``refusals.child_alone``, when the caller gives one).
    - Anyone but the actor's own child — an unknown or deactivated number, someone else's
      child, anyone at all when the actor is a child: ``NotFound``, the same answer for each,
      so that numbers do not tell who is a child.
    - The actor's ward who is no longer a child: ``Forbidden`` (``refusals.adult``).
    """
    refusals = refusals or ActingRefusals()
    if child_id is None or child_id == actor.pk:
        if refusals.child_alone is not None and acts_through_guardian(resident=actor):
            raise Forbidden(str(refusals.child_alone), code="guardian_required")
        return actor
    child = (
        None
        if actor.is_child  # a child acts for nobody else
        else Resident.objects.filter(pk=child_id, is_active=True).first()
    )
    if child is None or not resident_is_guardian_of(guardian=actor, child=child):
        raise NotFound(_("No such resident."))
    if not child.is_child:
        raise Forbidden(
            str(refusals.adult or _("Adults act for themselves.")), code=refusals.adult_code
        )
    return child


def children_acted_for(*, actor: Resident) -> QuerySet[Resident]:
    """The children ``acting_for`` lets the actor act for (their own, active, still children),
    eldest first: what a page offers in "with my child"."""
    if actor.is_child:
        return Resident.objects.none()
    return resident_children(resident=actor).filter(child_q(), is_active=True)


# --- What others see of a child -----------------------------------------------------------------


def visible_name(*, resident: Resident) -> str:
    """The name others see: a child's given name only, never the family name.  Every page,
    serializer and socket frame names residents through ``Resident.display_name``, which asks
    this.  (Nor is a child's presence or whereabouts shown to anyone: nothing in the product
    shows either today, and a feature that would must ask here first.)"""
    return resident.given_name if resident.is_child else resident.name


def visible_grade(*, resident: Resident) -> str:
    """What others may see beside a child's given name: the grade label (小3, "Grade 3") and
    nothing else of the school — never the school, the class, the district or the guardians,
    which only the school's coordinators, the guardians and the child see
    (``identity.selectors.child_placement_get``).  Empty for an adult or a child with no school
    year recorded."""
    if not resident.is_child:
        return ""
    return grade_label(child_grade(child=resident))


def visible_grades(*, residents: Iterable[Resident]) -> dict[int, str]:
    """``visible_grade`` for many residents in one query (lists of names), by resident id."""
    children = [resident for resident in residents if resident.is_child]
    grades = child_grades(child_ids=[child.pk for child in children])
    return {child.pk: grade_label(grades.get(child.pk)) for child in children}
