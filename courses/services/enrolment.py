"""Enrolment with its waiting list: enrolling (a guardian for a child), cancelling, and the
lecturer's decision on offerings that need approval.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.common.errors import Conflict, Forbidden, NotFound
from campus_social.identity.models import Resident
from campus_social.safeguarding.selectors import ActingRefusals, acting_for
from courses.models import ACTIVE_ENROLMENT, Audience, Enrolment, Offering
from courses.selectors import audience_admits, offering_get_for_manager
from courses.services._common import _notify, _promote_while_room, _seat_given_up, _seat_taken


def _enrollable(offering: Offering, resident: Resident, now: datetime) -> None:
    if offering.status == Offering.Status.CANCELLED:
        raise Conflict(_("This offering is cancelled."), code="cancelled")
    if offering.status != Offering.Status.PUBLISHED:
        raise NotFound(_("No such offering."))
    if offering.has_ended(now):
        raise Conflict(_("This offering has already ended."), code="ended")
    if now < offering.enrolment_opens_at:
        raise Conflict(_("Enrolment has not opened yet."), code="not_open")
    if now > offering.enrolment_closes_at:
        raise Conflict(_("Enrolment is closed."), code="closed")
    audience = offering.course.audience
    if audience_admits(audience=audience, resident=resident):
        return
    # Refused: say why, in the words of the audience (the rule itself is ``audience_admits``).
    if audience == Audience.CHILDREN:
        raise Forbidden(_("This course is for children."), code="audience")
    if audience == Audience.SENIORS:
        raise Forbidden(_("This course is for seniors (65 and over)."), code="audience")
    raise Forbidden(_("This course is for adults."), code="audience")


# Who is enrolled: the actor, or a child of theirs (safeguarding's ``acting_for``), refused in
# the words of enrolment.
_ENROLLING = ActingRefusals(
    child_alone=gettext_lazy("A guardian enrols children; please ask yours."),
    adult=gettext_lazy("Adults enrol themselves."),
    adult_code="forbidden",
)


def _learner(actor: Resident, resident_id: int | None) -> Resident:
    """Who is being enrolled: the actor, or a child the actor is guardian of."""
    return acting_for(actor=actor, child_id=resident_id, refusals=_ENROLLING)


def enrolment_create(
    *, actor: Resident, offering_id: int, resident_id: int | None = None
) -> Enrolment:
    """Enrol (or join the waiting list, or apply when the lecturer approves each one).

    Holds under concurrency: the offering's row is locked while seats are counted and the
    place in line is taken, and a partial unique constraint keeps one active enrolment per
    resident.  The enrolment carries ``waitlist_position``, counted under that lock: the place
    told at the press is the place in line, and promotion follows it.
    """
    learner = _learner(actor, resident_id)
    try:
        with transaction.atomic():
            offering = Offering.objects.select_for_update().filter(pk=offering_id).first()
            if offering is None:
                raise NotFound(_("No such offering."))
            offering = Offering.objects.select_related("course").get(pk=offering.pk)
            # The queue time is read only once the lock is held: read before it, a press that
            # waited longer for the lock could be queued ahead of one that got it first.
            now = timezone.now()
            _enrollable(offering, learner, now)
            if offering.enrolments.filter(resident=learner, status__in=ACTIVE_ENROLMENT).exists():
                raise Conflict(
                    _("You are already enrolled or waiting for this offering."),
                    code="already_enrolled",
                )
            line = offering.enrolments.aggregate(
                enrolled=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
                waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITLISTED)),
                last_queued=Max("queued_at", filter=Q(status=Enrolment.Status.WAITLISTED)),
            )
            if offering.requires_approval:
                status = Enrolment.Status.PENDING
            elif line["enrolled"] < offering.capacity:
                status = Enrolment.Status.ENROLLED
            else:
                status = Enrolment.Status.WAITLISTED
            # Strictly after everyone already in line, even if this host's clock lags behind
            # the one that queued the last of them.
            queued_at = now
            if line["last_queued"] is not None and line["last_queued"] >= now:
                queued_at = line["last_queued"] + timedelta(microseconds=1)
            enrolment = Enrolment.objects.create(
                offering=offering,
                resident=learner,
                status=status,
                enrolled_by=actor if actor.pk != learner.pk else None,
                queued_at=queued_at,
            )
            enrolment.waitlist_position = (
                line["waiting"] + 1 if status == Enrolment.Status.WAITLISTED else None
            )
            if status == Enrolment.Status.ENROLLED:
                _seat_taken(offering, enrolment)
            titles = {
                Enrolment.Status.ENROLLED: gettext_lazy("You are enrolled in “%(course)s”."),
                Enrolment.Status.WAITLISTED: gettext_lazy(
                    "You are on the waiting list for “%(course)s”."
                ),
                Enrolment.Status.PENDING: gettext_lazy(
                    "Your application for “%(course)s” is waiting for the lecturer."
                ),
            }
            _notify(enrolment, "enrolment", titles[status])
    except IntegrityError:
        raise Conflict(
            _("You are already enrolled or waiting for this offering."), code="already_enrolled"
        ) from None
    return enrolment


def enrolment_cancel(
    *, actor: Resident, offering_id: int, resident_id: int | None = None
) -> Enrolment:
    """Leave an offering (or its waiting list).  A freed seat goes to the first in line."""
    learner = _learner(actor, resident_id)
    with transaction.atomic():
        offering = Offering.objects.select_for_update().filter(pk=offering_id).first()
        enrolment = (
            Enrolment.objects.filter(
                offering_id=offering_id,
                resident=learner,
                status__in=ACTIVE_ENROLMENT,
            ).first()
            if offering is not None
            else None
        )
        if offering is None or enrolment is None:
            raise NotFound(_("You are not enrolled in this offering."))
        if offering.has_ended():
            raise Conflict(_("This offering has already ended."), code="ended")
        was_enrolled = enrolment.status == Enrolment.Status.ENROLLED
        enrolment.status = Enrolment.Status.CANCELLED
        enrolment.status_changed_at = timezone.now()
        enrolment.save(update_fields=["status", "status_changed_at"])
        if was_enrolled:
            _seat_given_up(offering, learner)
            _promote_while_room(offering)
    return enrolment


def enrolment_decide(*, actor: Resident, enrolment_id: int, approve: bool) -> Enrolment:
    """The lecturer accepts or declines a pending application (accepting needs a free seat)."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_related("offering", "offering__course", "resident")
            .filter(pk=enrolment_id)
            .first()
        )
        if enrolment is None:
            raise NotFound(_("No such application."))
        offering = offering_get_for_manager(offering_id=enrolment.offering_id, actor=actor)
        offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
        if enrolment.status != Enrolment.Status.PENDING:
            raise Conflict(_("This application has already been decided."))
        if (
            approve
            and offering.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
            >= offering.capacity
        ):
            raise Conflict(_("The offering is full."), code="full")
        enrolment.status = Enrolment.Status.ENROLLED if approve else Enrolment.Status.DECLINED
        enrolment.status_changed_at = timezone.now()
        enrolment.save(update_fields=["status", "status_changed_at"])
        if approve:
            _seat_taken(offering, enrolment)
        _notify(
            enrolment,
            "enrolment",
            gettext_lazy("You are enrolled in “%(course)s”.")
            if approve
            else gettext_lazy("Your application for “%(course)s” was declined."),
        )
    return enrolment
