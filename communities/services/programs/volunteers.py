"""Senior volunteers: a senior's offer, the coordinator's invitation, the senior's answer, and
taking a volunteer off a program (by the coordinator, or when their vetting runs out).

A volunteer takes part only with a current vetting record (``campus_social.safeguarding``):
checked when invited and when accepting, asked again for each session's date by the roster
(``program_selectors.session_volunteers_vetted``), and an expired record takes them off every
open program at once (``volunteer_vetting_expired``, heard from safeguarding's
``vetting_expired`` event).
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.common.errors import Conflict, Forbidden, NotFound
from campus_social.identity.models import AgeBand, District, Resident
from campus_social.notifications.services import (
    notification_send_many,
    notification_send_translated,
)
from campus_social.safeguarding.selectors import resident_is_vetted
from communities.models.programs import Program, ProgramVolunteer, VolunteerOffer
from communities.program_selectors import program_get, program_get_managed
from communities.services.programs._common import (
    NOTIFY_PROGRAMS,
    _locked,
    _open,
    _page,
    _refuse,
    _room_of,
)
from communities.text_checks import fail, text
from communities.values import AVAILABILITY_SLOTS, ProgramStatus, Topic, VolunteerStatus
from messaging import services as rooms

SLOTS = frozenset(AVAILABILITY_SLOTS)
_OPEN = (ProgramStatus.DRAFT, ProgramStatus.PUBLISHED)


def _require_senior(actor: Resident) -> None:
    if actor.age_band != AgeBand.SENIOR:
        raise Forbidden(
            _("Volunteer offers are for residents aged 65 and over."), code="senior_only"
        )


def volunteer_offer_set(
    *,
    actor: Resident,
    skills: object,
    topics: object,
    district_ids: object,
    availability: object,
) -> VolunteerOffer:
    """A senior publishes (or updates) their one current offer: skills in words, topics,
    districts they can reach, and weekday × part-of-day slots (``"tue-afternoon"``)."""
    _require_senior(actor)
    errors: dict[str, list[str]] = {}
    clean_skills = text(errors, "skills", skills, limit=2000, multiline=True)
    if not isinstance(topics, list) or not all(topic in Topic.values for topic in topics):
        errors["topics"] = [_("Please choose topics from the list.")]
        topics = []
    if not isinstance(availability, list) or not all(slot in SLOTS for slot in availability):
        errors["availability"] = [_("Please choose times from the list.")]
        availability = []
    districts: list[District] = []
    if not isinstance(district_ids, list) or not all(
        isinstance(pk, int) and not isinstance(pk, bool) for pk in district_ids
    ):
        errors["district_ids"] = [_("Please choose districts from the list.")]
    else:
        districts = list(District.objects.filter(pk__in=district_ids))
        if len(districts) != len(set(district_ids)):
            errors["district_ids"] = [_("Please choose districts from the list.")]
    fail(errors)
    assert isinstance(topics, list)
    assert isinstance(availability, list)
    with transaction.atomic():
        offer = (
            VolunteerOffer.objects.select_for_update()
            .filter(resident=actor, withdrawn_at__isnull=True)
            .first()
        ) or VolunteerOffer(resident=actor)
        offer.skills = clean_skills
        offer.topics = sorted(set(topics))
        offer.availability = sorted(set(availability))
        offer.updated_at = timezone.now()
        offer.save()
        offer.districts.set(districts)
    return offer


def volunteer_offer_withdraw(*, actor: Resident) -> None:
    """The senior withdraws their offer: no longer matched.  Programs they take part in keep
    them (they leave those one by one)."""
    updated = VolunteerOffer.objects.filter(resident=actor, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    if not updated:
        raise NotFound(_("You have no current volunteer offer."))


def _vetting_refusal() -> Forbidden:
    return Forbidden(
        _(
            "A volunteer takes part only with a current vetting record for working with "
            "children. Please ask the city office."
        ),
        code="vetting_required",
    )


def volunteer_invite(*, actor: Resident, program_id: int, resident_id: object) -> ProgramVolunteer:
    """The coordinator invites a senior with a current offer.  Refused, audited and nothing
    stored when the senior holds no current vetting record.  Tells the senior."""
    program = program_get_managed(program_id=program_id, actor=actor)
    _open(program)
    offer = (
        VolunteerOffer.objects.select_related("resident")
        .filter(resident_id=resident_id, withdrawn_at__isnull=True, resident__is_active=True)
        .first()
        if isinstance(resident_id, int) and not isinstance(resident_id, bool)
        else None
    )
    if offer is None:
        raise NotFound(_("No such volunteer offer."))
    senior = offer.resident
    if not resident_is_vetted(senior):
        _refuse(
            _vetting_refusal(),
            actor=actor,
            action="program.volunteer_refused",
            target=program,
            resident_id=senior.pk,
        )
    with transaction.atomic():
        program = _locked(program.pk)
        volunteer = ProgramVolunteer.objects.filter(program=program, resident=senior).first()
        if volunteer is not None and volunteer.status in (
            VolunteerStatus.INVITED,
            VolunteerStatus.ACCEPTED,
        ):
            raise Conflict(_("This senior is invited already."), code="already_invited")
        volunteer = volunteer or ProgramVolunteer(program=program, resident=senior)
        volunteer.status = VolunteerStatus.INVITED
        volunteer.invited_by = actor
        volunteer.invited_at = timezone.now()
        volunteer.answered_at = None
        volunteer.removed_reason = ""
        volunteer.save()
        notification_send_translated(
            resident=senior,
            kind=NOTIFY_PROGRAMS,
            title_template=gettext_lazy("You are invited to volunteer in “%(program)s”."),
            params={"program": program.title},
            url=_page(program),
        )
    return volunteer


def volunteer_answer(*, actor: Resident, program_id: int, accept: bool) -> ProgramVolunteer:
    """The invited senior accepts (joins the program's room as a member; needs a current
    vetting record — refused, audited and nothing stored without) or declines.  Tells the
    coordinators."""
    program = program_get(program_id=program_id, actor=actor)
    volunteer = ProgramVolunteer.objects.filter(
        program=program, resident=actor, status=VolunteerStatus.INVITED
    ).first()
    if volunteer is None:
        raise NotFound(_("No invitation to answer."))
    _open(program)
    if accept and not resident_is_vetted(actor):
        _refuse(_vetting_refusal(), actor=actor, action="program.volunteer_refused", target=program)
    with transaction.atomic():
        program = _locked(program.pk)
        volunteer.status = VolunteerStatus.ACCEPTED if accept else VolunteerStatus.DECLINED
        volunteer.answered_at = timezone.now()
        volunteer.save(update_fields=["status", "answered_at"])
        if accept:
            rooms.room_member_add(room=_room_of(program), resident=actor, role="member")
        notification_send_many(
            recipients=list(program.coordinators.all()),
            kind=NOTIFY_PROGRAMS,
            title_template=(
                gettext_lazy("%(name)s will volunteer in “%(program)s”.")
                if accept
                else gettext_lazy("%(name)s declined to volunteer in “%(program)s”.")
            ),
            params={"name": actor.display_name, "program": program.title},
            url=_page(program),
        )
    return volunteer


def _take_off(program: Program, volunteer: ProgramVolunteer, reason: str) -> None:
    volunteer.status = VolunteerStatus.REMOVED
    volunteer.removed_reason = reason
    volunteer.save(update_fields=["status", "removed_reason"])
    rooms.room_member_remove(room=_room_of(program), resident=volunteer.resident)


def volunteer_remove(*, actor: Resident, program_id: int, resident_id: object) -> ProgramVolunteer:
    """The coordinator takes a volunteer off the program (or withdraws an invitation): they
    leave the room at once and are told."""
    program = program_get_managed(program_id=program_id, actor=actor)
    volunteer = (
        ProgramVolunteer.objects.select_related("resident")
        .filter(
            program=program,
            resident_id=resident_id,
            status__in=(VolunteerStatus.INVITED, VolunteerStatus.ACCEPTED),
        )
        .first()
        if isinstance(resident_id, int) and not isinstance(resident_id, bool)
        else None
    )
    if volunteer is None:
        raise NotFound(_("No such volunteer."))
    with transaction.atomic():
        _locked(program.pk)
        _take_off(program, volunteer, "removed")
        notification_send_translated(
            resident=volunteer.resident,
            kind=NOTIFY_PROGRAMS,
            title_template=gettext_lazy("You no longer volunteer in “%(program)s”."),
            params={"program": program.title},
            url="/me/notifications/",
        )
    return volunteer


def volunteer_vetting_expired(*, resident_id: int, today: date | None = None, **_: Any) -> int:
    """The resident's vetting ran out (safeguarding's ``vetting_expired`` event): they are taken
    off every open program they were invited to or take part in — its future sessions and its
    room — and told, once per program; the coordinators are told too.  Returns how many
    programs.  Trusted: called by the event, checks no actor."""
    if resident_is_vetted(Resident(pk=resident_id), on=today):
        return 0  # renewed in the meantime
    volunteering = list(
        ProgramVolunteer.objects.select_related("program", "resident").filter(
            resident_id=resident_id,
            status__in=(VolunteerStatus.INVITED, VolunteerStatus.ACCEPTED),
            program__status__in=_OPEN,
        )
    )
    with transaction.atomic():
        for volunteer in volunteering:
            program = volunteer.program
            _take_off(program, volunteer, "vetting_expired")
            notification_send_translated(
                resident=volunteer.resident,
                kind=NOTIFY_PROGRAMS,
                title_template=gettext_lazy(
                    "Your vetting check ran out, so you are taken off the coming sessions of "
                    "“%(program)s”. Once the city renews it, the coordinator can invite you again."
                ),
                params={"program": program.title},
                url="/me/notifications/",
            )
            notification_send_many(
                recipients=list(program.coordinators.all()),
                kind=NOTIFY_PROGRAMS,
                title_template=gettext_lazy(
                    "%(name)s's vetting check ran out: they are taken off “%(program)s”."
                ),
                params={"name": volunteer.resident.display_name, "program": program.title},
                url=_page(program),
            )
    return len(volunteering)
