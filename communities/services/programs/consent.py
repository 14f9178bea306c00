"""Children and their guardians' consent: a guardian consents per program per child (and may
sign the child up with it), withdraws at any time with effect at once; the coordinator adds a
consented child, or takes a child off.

Who acts for a child is safeguarding's ``acting_for``.  A child is in a program, its sessions,
its room and its photos only with a current consent: withdrawing takes the child out of all of
them in the same transaction.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.audit.services import audit_record
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from campus_social.identity.models import Resident
from campus_social.identity.selectors import child_q
from campus_social.notifications.services import notification_send_many
from campus_social.safeguarding.selectors import ActingRefusals, acting_for
from communities.models.programs import Program, ProgramChild, ProgramConsent, SessionPhotoTag
from communities.program_selectors import (
    child_grade,
    consent_current,
    program_get,
    program_get_managed,
)
from communities.services.programs._common import (
    NOTIFY_PROGRAMS,
    _locked,
    _open,
    _page,
    _refuse,
    _room_of,
)
from communities.values import ProgramStatus
from messaging import services as rooms
from messaging.values import Entry

_CONSENTING = ActingRefusals(
    child_alone=gettext_lazy("A guardian gives consent for a child; please ask yours."),
    adult=gettext_lazy("Consent is given for children only."),
    adult_code="adult",
)

# What is recorded about a child in a program, as the guardian is shown it when consenting (and
# as it is stored with the consent, in the guardian's language).
RECORDED = gettext_lazy(
    "Attendance at each session, your child's short reflections after sessions, and — only if "
    "you allow photos — photos in which your child is tagged. Only the program's coordinators "
    "and you see your child's details; others see your child's given name and school year."
)


def _child_acted_for(actor: Resident, program: Program, child_id: object) -> Resident:
    """The child the guardian acts for (``acting_for``); a refusal — a child acting alone, a
    child not theirs, an adult — is audited before it is raised."""
    try:
        child = acting_for(
            actor=actor,
            child_id=child_id if child_id is None or isinstance(child_id, int) else -1,
            refusals=_CONSENTING,
        )
    except (Forbidden, NotFound) as refusal:
        _refuse(refusal, actor=actor, action="program.acting_refused", target=program)
    if not child.is_child:
        _refuse(
            Invalid(str(_CONSENTING.adult), code="adult"),
            actor=actor,
            action="program.acting_refused",
            target=program,
        )
    return child


def _require_grade_fits(program: Program, child: Resident) -> None:
    """The child's school year is within the program's range.  The school year comes from
    identity (``program_selectors.child_grade``); a child whose school year identity does not
    record is not refused on it."""
    grade = child_grade(child=child)
    if grade is not None and not program.grade_min <= grade <= program.grade_max:
        raise Invalid(
            _("This program is for school years %(low)d to %(high)d.")
            % {"low": program.grade_min, "high": program.grade_max},
            code="grade",
        )


def _join(program: Program, child: Resident, *, added_by: Resident) -> ProgramChild:
    """Seat the child (in a transaction holding the program's lock) and put them in the room.
    Without a vetted moderator there the child waits (``Entry.AWAITS_MODERATOR``) and comes in
    when a vetted coordinator is seated."""
    place = ProgramChild.objects.filter(program=program, child=child).first()
    if place is not None and place.left_at is None:
        raise Conflict(_("This child takes part already."), code="already_taking_part")
    place = place or ProgramChild(program=program, child=child)
    place.added_by = added_by
    place.joined_at = timezone.now()
    place.left_at = None
    place.save()
    entry = rooms.room_member_add(room=_room_of(program), resident=child)
    assert entry in (Entry.JOINED, Entry.AWAITS_MODERATOR)
    return place


def consent_give(
    *, actor: Resident, program_id: int, child_id: object, photos_allowed: object, sign_up: bool
) -> ProgramConsent:
    """A guardian consents for their child to take part in a published program, saying whether
    photos may be taken; the program's description and what is recorded are stored with it as
    shown.  With ``sign_up`` the child joins at once (as ``program_child_add``).  A guardian
    acting for a child not theirs is refused, audited, and nothing is stored.  Tells the
    coordinators."""
    program = program_get(program_id=program_id, actor=actor)
    child = _child_acted_for(actor, program, child_id)
    if not isinstance(photos_allowed, bool):
        raise Invalid(
            _("Please say whether photos may be taken."),
            fields={"photos_allowed": [_("Please say whether photos may be taken.")]},
        )
    if program.status != ProgramStatus.PUBLISHED:
        raise Conflict(_("This program is not open for consent."), code="program_closed")
    if sign_up:
        _require_grade_fits(program, child)
    with transaction.atomic():
        program = _locked(program.pk)
        if consent_current(program=program, child=child) is not None:
            raise Conflict(
                _("You have consented for this child already."), code="already_consented"
            )
        consent = ProgramConsent.objects.create(
            program=program,
            child=child,
            guardian=actor,
            activities=program.description,
            recorded=str(RECORDED),
            photos_allowed=photos_allowed,
        )
        if sign_up:
            _join(program, child, added_by=actor)
        audit_record(
            actor=actor,
            action="program.consent_given",
            target=program,
            detail={"child_id": child.pk, "photos_allowed": photos_allowed},
        )
        notification_send_many(
            recipients=list(program.coordinators.all()),
            kind=NOTIFY_PROGRAMS,
            title_template=gettext_lazy("A guardian consented for a child in “%(program)s”."),
            params={"program": program.title},
            url=_page(program),
        )
    return consent


def consent_withdraw(*, actor: Resident, program_id: int, child_id: object) -> ProgramConsent:
    """A guardian withdraws consent, with effect at once: the child leaves the program and its
    room (their guardians stop reading it unless another child of theirs is there), and is
    untagged from the program's photos.  Audited; tells the coordinators."""
    program = program_get(program_id=program_id, actor=actor)
    child = _child_acted_for(actor, program, child_id)
    with transaction.atomic():
        program = _locked(program.pk)
        consent = consent_current(program=program, child=child)
        if consent is None:
            raise NotFound(_("There is no current consent to withdraw."))
        now = timezone.now()
        consent.withdrawn_at = now
        consent.withdrawn_by = actor
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        _leave(program, child, now)
        audit_record(
            actor=actor,
            action="program.consent_withdrawn",
            target=program,
            detail={"child_id": child.pk},
        )
        notification_send_many(
            recipients=list(program.coordinators.all()),
            kind=NOTIFY_PROGRAMS,
            title_template=gettext_lazy(
                "A guardian withdrew consent for a child in “%(program)s”: the child has left."
            ),
            params={"program": program.title},
            url=_page(program),
        )
    return consent


def _leave(program: Program, child: Resident, now: object, *, untag: bool = True) -> None:
    ProgramChild.objects.filter(program=program, child=child, left_at__isnull=True).update(
        left_at=now
    )
    rooms.room_member_remove(room=_room_of(program), resident=child)
    if untag:
        SessionPhotoTag.objects.filter(photo__session__program=program, child=child).delete()


def program_child_add(*, actor: Resident, program_id: int, child_id: object) -> ProgramChild:
    """The coordinator adds a child whose guardian consented (current consent).  Without it —
    never given, or withdrawn — refused, audited, and nothing stored.  The child joins the
    room (or waits there for a vetted moderator)."""
    program = program_get_managed(program_id=program_id, actor=actor)
    _open(program)
    child = (
        Resident.objects.filter(child_q(), pk=child_id, is_active=True).first()
        if isinstance(child_id, int) and not isinstance(child_id, bool)
        else None
    )
    if child is None:
        raise NotFound(_("No such child."))
    if consent_current(program=program, child=child) is None:
        refusal: ServiceError = Conflict(
            _("A child takes part only with their guardian's current consent."),
            code="consent_required",
        )
        _refuse(refusal, actor=actor, action="program.child_refused", target=program)
    _require_grade_fits(program, child)
    with transaction.atomic():
        program = _locked(program.pk)
        # Asked again under the lock: a withdrawal may have come in meanwhile.
        if consent_current(program=program, child=child) is None:
            raise Conflict(
                _("A child takes part only with their guardian's current consent."),
                code="consent_required",
            )
        return _join(program, child, added_by=actor)


def program_child_remove(*, actor: Resident, program_id: int, child_id: object) -> None:
    """The coordinator takes a child off the program: out of its room and sessions.  The
    consent stays as the guardian gave it."""
    program = program_get_managed(program_id=program_id, actor=actor)
    place = (
        ProgramChild.objects.select_related("child")
        .filter(program=program, child_id=child_id, left_at__isnull=True)
        .first()
        if isinstance(child_id, int) and not isinstance(child_id, bool)
        else None
    )
    if place is None:
        raise NotFound(_("No such child."))
    with transaction.atomic():
        _locked(program.pk)
        _leave(program, place.child, timezone.now(), untag=False)
