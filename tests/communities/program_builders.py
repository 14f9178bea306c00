"""People and programs the program tests share: a school with a (vetted) coordinator, a
published program with sessions to come, a vetted senior with an offer, a guardian with a child
who consented."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from campus_social.identity.models import GuardianLink, Organisation, OrganisationRole, Resident
from communities import services
from communities.models import Program, ProgramSession, VolunteerOffer
from tests.factories import (
    DistrictFactory,
    GuardianLinkFactory,
    OrganisationFactory,
    ResidentFactory,
    RoleFactory,
    SeniorFactory,
    VettingRecordFactory,
)


def school() -> Organisation:
    return OrganisationFactory(kind=Organisation.Kind.SCHOOL, name="みどり小学校")


def coordinator_of(organisation: Organisation, *, vetted: bool = True) -> Resident:
    resident = ResidentFactory()
    RoleFactory(
        resident=resident, organisation=organisation, role=OrganisationRole.Role.COORDINATOR
    )
    if vetted:
        VettingRecordFactory(resident=resident)
    return resident


def program_values(**values: object) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "title": "むかしあそびの会",
        "title_kana": "むかしあそびのかい",
        "theme": "history",
        "description": "Seniors teach the children old games: kendama, otedama and koma.",
        "grade_min": 3,
        "grade_max": 6,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=90)).isoformat(),
        "venue": "みどり小学校 多目的室",
        "district_id": DistrictFactory().pk,
        "seniors_needed": 3,
        "children_needed": 12,
        **values,
    }


@dataclass
class Running:
    """A published program, its coordinator and a session next week."""

    program: Program
    coordinator: Resident
    session: ProgramSession


def running_program(*, vetted_coordinator: bool = True, **values: object) -> Running:
    organisation = school()
    coordinator = coordinator_of(organisation, vetted=vetted_coordinator)
    program = services.program_create(
        actor=coordinator, school_id=organisation.pk, values=program_values(**values)
    )
    starts = timezone.now() + timedelta(days=7)
    session = services.session_add(
        actor=coordinator,
        program_id=program.pk,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    services.program_publish(actor=coordinator, program_id=program.pk)
    program.refresh_from_db()
    return Running(program, coordinator, session)


def senior_with_offer(*, vetted: bool = True, **values: object) -> VolunteerOffer:
    senior = SeniorFactory()
    if vetted:
        VettingRecordFactory(resident=senior)
    return services.volunteer_offer_set(
        actor=senior,
        skills=values.get("skills", "Kendama and koma; local history of the old post town."),
        topics=values.get("topics", ["history"]),
        district_ids=values.get("district_ids", []),
        availability=values.get("availability", []),
    )


def volunteer_in(running: Running, *, vetted: bool = True) -> Resident:
    offer = senior_with_offer(vetted=vetted)
    services.volunteer_invite(
        actor=running.coordinator, program_id=running.program.pk, resident_id=offer.resident_id
    )
    services.volunteer_answer(actor=offer.resident, program_id=running.program.pk, accept=True)
    return offer.resident


def consented_child(running: Running, *, photos: bool = True, sign_up: bool = True) -> GuardianLink:
    link = GuardianLinkFactory()
    services.consent_give(
        actor=link.guardian,
        program_id=running.program.pk,
        child_id=link.child_id,
        photos_allowed=photos,
        sign_up=sign_up,
    )
    return link
