"""Schools: a pupil's school year and class, and guardian links the school confirms.

Each verb takes the acting resident.  A school's pupils and their guardians are recorded by the
school's coordinators (``OrganisationRole`` ``coordinator``) or city staff; a guardian may ask
to be linked, proving they know the child by the child's birth date, and the school answers.
Every link made and every placement recorded is audited; the family hears of each.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.audit.services import audit_record
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.common.text import text_clean
from campus_social.identity.cards import refuse_my_number
from campus_social.identity.models import (
    SCHOOL_YEARS,
    GuardianLink,
    GuardianLinkRequest,
    Organisation,
    OrganisationRole,
    Resident,
    SchoolPlacement,
)
from campus_social.identity.selectors import (
    Actor,
    child_q,
    resident_is_city_staff,
    resident_is_guardian_of,
    school_get_for_coordinator,
)
from campus_social.notifications.services import (
    notification_send_many,
    notification_send_translated,
)

NOTIFY_GUARDIAN = "identity.guardian_link"  # to a guardian: linked, or the school's answer
NOTIFY_SCHOOL = "identity.guardian_request"  # to a school's coordinators: a guardian asks

CLASS_NAME_MAX_LENGTH = 20


def _not_a_pupil() -> NotFound:
    # The same answer for no such resident, an adult, a wrong birth date and a child of another
    # school: typing numbers must not reveal who is a child or where they go to school.
    return NotFound(_("No such pupil. Please check the number and the birth date."))


def _school_year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCHOOL_YEARS:
        message = _("The school year is from 1 (first year of elementary school) to 12.")
        raise Invalid(message, fields={"school_year": [message]})
    return value


def _class_name(value: str) -> str:
    value = text_clean(value).strip()
    if len(value) > CLASS_NAME_MAX_LENGTH:
        message = _("A class name has at most 20 characters.")
        raise Invalid(message, fields={"class_name": [message]})
    return value


def _child_with_birth_date(child_id: int, birth_date: date) -> Resident:
    child = (
        Resident.objects.filter(child_q(), pk=child_id, is_active=True)
        .filter(birth_date=birth_date)
        .first()
    )
    if child is None:
        raise _not_a_pupil()
    return child


# --- The school year and class --------------------------------------------------------------


def school_pupil_add(
    *,
    actor: Actor,
    school_id: int,
    child_id: int,
    birth_date: date,
    school_year: int,
    class_name: str = "",
) -> SchoolPlacement:
    """Record that a child (by resident number and birth date, which the school knows) attends
    this school in ``school_year``.  Coordinators of the school or city staff only
    (``Forbidden`` ``not_a_coordinator``).  A wrong number or birth date, or an adult, is
    ``NotFound``; a child recorded at another school only city staff can move (``NotFound``
    too, for a coordinator — another school's pupils are not theirs to learn of); a pupil of this
    school already is ``Conflict`` ``already_pupil``.  Audited."""
    school = school_get_for_coordinator(actor=actor, school_id=school_id)
    school_year = _school_year(school_year)
    class_name = _class_name(class_name)
    child = _child_with_birth_date(child_id, birth_date)
    with transaction.atomic():
        current = SchoolPlacement.objects.select_for_update().filter(child=child).first()
        if current is not None and current.school_id == school.pk:
            raise Conflict(_("This child is already a pupil of this school."), code="already_pupil")
        if current is not None and not resident_is_city_staff(actor):
            raise _not_a_pupil()
        if current is not None:
            current.delete()  # a move between schools, by city staff
        placement = SchoolPlacement.objects.create(
            child=child,
            school=school,
            school_year=school_year,
            class_name=class_name,
            recorded_by=actor if isinstance(actor, Resident) else None,
        )
        audit_record(
            actor=actor,
            action="school.pupil_added",
            target=child,
            detail={"school": school.pk, "school_year": school_year},
        )
    return placement


def school_pupil_update(
    *, actor: Actor, school_id: int, child_id: int, school_year: int, class_name: str = ""
) -> SchoolPlacement:
    """Change a pupil's school year and class (a new school year, a new class).  Audited."""
    school = school_get_for_coordinator(actor=actor, school_id=school_id)
    school_year = _school_year(school_year)
    class_name = _class_name(class_name)
    placement = SchoolPlacement.objects.filter(school=school, child_id=child_id).first()
    if placement is None:
        raise NotFound(_("No such pupil at this school."))
    placement.school_year = school_year
    placement.class_name = class_name
    placement.recorded_by = actor if isinstance(actor, Resident) else None
    placement.recorded_at = timezone.now()
    placement.save(update_fields=["school_year", "class_name", "recorded_by", "recorded_at"])
    audit_record(
        actor=actor,
        action="school.pupil_updated",
        target=placement.child,
        detail={"school": school.pk, "school_year": school_year},
    )
    return placement


def school_pupil_remove(*, actor: Actor, school_id: int, child_id: int) -> None:
    """The child no longer attends this school (moved away, finished).  Audited."""
    school = school_get_for_coordinator(actor=actor, school_id=school_id)
    placement = (
        SchoolPlacement.objects.select_related("child")
        .filter(school=school, child_id=child_id)
        .first()
    )
    if placement is None:
        raise NotFound(_("No such pupil at this school."))
    child = placement.child
    placement.delete()
    audit_record(
        actor=actor, action="school.pupil_removed", target=child, detail={"school": school.pk}
    )


# --- Guardians the school confirms ----------------------------------------------------------


def _pupil(school: Organisation, child_id: int) -> Resident:
    placement = (
        SchoolPlacement.objects.select_related("child")
        .filter(school=school, child_id=child_id, child__is_active=True)
        .first()
    )
    if placement is None:
        raise NotFound(_("No such pupil at this school."))
    return placement.child


def _link(*, actor: Actor, guardian: Resident, child: Resident, school: Organisation) -> None:
    """Make the link (the caller checked everything), audit it and tell the guardian."""
    try:
        with transaction.atomic():
            GuardianLink.objects.create(guardian=guardian, child=child)
    except IntegrityError:
        raise Conflict(
            _("This guardian is already linked to this child."), code="already_linked"
        ) from None
    audit_record(
        actor=actor,
        action="guardian.linked",
        target=child,
        detail={"guardian": guardian.pk, "school": school.pk},
    )
    # Stored in the caller's transaction; the push and the email go after its commit.
    notification_send_translated(
        resident=guardian,
        kind=NOTIFY_GUARDIAN,
        title_template=gettext_lazy("%(school)s linked you as the guardian of %(child)s."),
        params={"school": school.name, "child": child.given_name},
        url="/me/",
    )


def school_guardian_link(
    *, actor: Actor, school_id: int, child_id: int, guardian_id: int
) -> GuardianLink:
    """A coordinator of the school links one of its pupils to a guardian (an adult, by resident
    number).  Refusals: ``Forbidden`` ``not_a_coordinator``; ``NotFound`` for a child who is not
    a pupil here or a guardian who is unknown or a child; ``Conflict`` ``already_linked``.
    Audited; the guardian is told."""
    school = school_get_for_coordinator(actor=actor, school_id=school_id)
    child = _pupil(school, child_id)
    guardian = (
        Resident.objects.exclude(child_q())
        .filter(pk=guardian_id, is_active=True, birth_date__isnull=False)
        .exclude(pk=child.pk)
        .first()
    )
    if guardian is None:
        raise NotFound(_("No such adult. Please check the resident number."))
    with transaction.atomic():
        _link(actor=actor, guardian=guardian, child=child, school=school)
        # A request the guardian had made for this child is answered by the link.
        GuardianLinkRequest.objects.filter(
            guardian=guardian, child=child, status=GuardianLinkRequest.Status.PENDING
        ).update(
            status=GuardianLinkRequest.Status.CONFIRMED,
            decided_at=timezone.now(),
            decided_by=actor if isinstance(actor, Resident) else None,
        )
    return GuardianLink.objects.get(guardian=guardian, child=child)


def guardian_link_request(
    *, actor: Resident, school_id: int, child_number: str, birth_date: date
) -> GuardianLinkRequest:
    """A guardian asks to be linked to a pupil of a school, naming the child's resident number
    and birth date to show they know the child.  Refusals: a child asking (``Forbidden``
    ``adult_required``); a number that is a My Number (``Invalid`` ``my_number``); an unknown
    school, number, wrong birth date or a child who is not a pupil there (all ``NotFound``,
    alike); already linked (``Conflict`` ``already_linked``); asked already (``Conflict``
    ``requested``).  The school's coordinators are told."""
    if actor.is_child or actor.birth_date is None:
        raise Forbidden(_("Only an adult can be a child's guardian."), code="adult_required")
    raw = str(child_number).strip()
    refuse_my_number(raw, field="child_number")
    school = Organisation.objects.filter(pk=school_id, kind=Organisation.Kind.SCHOOL).first()
    if school is None:
        raise NotFound(_("No such school."))
    if not raw.isdecimal() or len(raw) > 12:
        raise _not_a_pupil()
    child = _child_with_birth_date(int(raw), birth_date)
    if (
        child.pk == actor.pk
        or not SchoolPlacement.objects.filter(child=child, school=school).exists()
    ):
        raise _not_a_pupil()
    if resident_is_guardian_of(guardian=actor, child=child):
        raise Conflict(_("You are already linked to this child."), code="already_linked")
    try:
        with transaction.atomic():
            request = GuardianLinkRequest.objects.create(guardian=actor, child=child, school=school)
    except IntegrityError:
        raise Conflict(
            _("You have asked already. The school will answer."), code="requested"
        ) from None
    coordinators = Resident.objects.filter(
        roles__organisation=school, roles__role=OrganisationRole.Role.COORDINATOR, is_active=True
    )
    audit_record(actor=actor, action="guardian.link_requested", target=request)
    notification_send_many(
        recipients=coordinators,
        kind=NOTIFY_SCHOOL,
        title_template=gettext_lazy("A guardian asks to be linked to a pupil."),
        url=f"/schools/{school.pk}/pupils/",
    )
    return request


def guardian_link_request_decide(
    *, actor: Actor, request_id: int, confirm: bool
) -> GuardianLinkRequest:
    """The school's coordinator confirms a guardian's request (the link is made, audited) or
    declines it; the guardian is told either way.  Refusals: ``Forbidden`` ``not_a_coordinator``
    (a coordinator of another school included), ``Conflict`` ``decided`` for an answered one,
    ``Conflict`` ``not_a_pupil`` when the child has left the school since."""
    request = (
        GuardianLinkRequest.objects.select_related("guardian", "child", "school")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(_("No such request."))
    school = school_get_for_coordinator(actor=actor, school_id=request.school_id)
    with transaction.atomic():
        locked = GuardianLinkRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != GuardianLinkRequest.Status.PENDING:
            raise Conflict(_("This request has been answered already."), code="decided")
        if confirm:
            if not SchoolPlacement.objects.filter(
                school=school, child_id=request.child_id
            ).exists():
                raise Conflict(
                    _("This child is no longer a pupil of this school."), code="not_a_pupil"
                )
            _link(actor=actor, guardian=request.guardian, child=request.child, school=school)
        request.status = (
            GuardianLinkRequest.Status.CONFIRMED if confirm else GuardianLinkRequest.Status.DECLINED
        )
        request.decided_at = timezone.now()
        request.decided_by = actor if isinstance(actor, Resident) else None
        request.save(update_fields=["status", "decided_at", "decided_by"])
        if not confirm:
            audit_record(actor=actor, action="guardian.link_declined", target=request)
            notification_send_translated(
                resident=request.guardian,
                kind=NOTIFY_GUARDIAN,
                title_template=gettext_lazy(
                    "%(school)s did not confirm you as a guardian. Please ask the school."
                ),
                params={"school": school.name},
                url="/schools/link-child/",
            )
    return request
