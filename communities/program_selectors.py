"""Reads of intergenerational programs, each checked against the acting resident.

Who sees what:
- a published program's card (title, school, theme, description, term, venue, grades) — every
  signed-in adult; a child sees only the programs they take part in;
- a draft — only its coordinators and city staff; everyone else gets ``NotFound``;
- its roster — coordinators (and city staff) see everything about each child; a volunteer, a
  child or a guardian sees another child only by given name and school year
  (``child_card``), and a guardian sees their own child in full;
- volunteer matches and consents at a glance — coordinators only.

Nothing here imports the circle modules.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.common.errors import Forbidden, NotFound
from campus_social.common.ids import is_id
from campus_social.identity import selectors as identity_selectors
from campus_social.identity.models import Resident
from campus_social.identity.selectors import (
    resident_children,
    resident_is_city_staff,
)
from campus_social.safeguarding.selectors import (
    resident_is_vetted,
    vetted_resident_ids,
    visible_name,
)
from communities.models.programs import (
    Program,
    ProgramChild,
    ProgramConsent,
    ProgramSession,
    ProgramVolunteer,
    SessionAttendance,
    SessionPhoto,
    SessionPhotoTag,
    SessionReflection,
    VolunteerOffer,
)
from communities.values import ProgramStatus, VolunteerStatus

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def program_manages(*, program: Program, actor: object) -> bool:
    """The program's coordinators and city staff manage it (sessions, invitations, children,
    attendance, photos)."""
    if not isinstance(actor, Resident):
        return False
    if program.coordinators.filter(pk=actor.pk).exists():
        return True
    return resident_is_city_staff(actor)


def child_grade(*, child: Resident) -> int | None:
    """The child's school year (1–12) as the school recorded it (``identity``), or ``None``
    while it has recorded none: then no grade range is checked and none is shown."""
    return identity_selectors.child_grade(child=child)


def _takes_part(program: Program, actor: Resident) -> bool:
    if ProgramVolunteer.objects.filter(
        program=program,
        resident=actor,
        status__in=(VolunteerStatus.INVITED, VolunteerStatus.ACCEPTED),
    ).exists():
        return True
    children = resident_children(resident=actor).values("pk")
    return (
        ProgramChild.objects.filter(program=program, left_at__isnull=True)
        .filter(Q(child=actor) | Q(child__in=children))
        .exists()
        or ProgramConsent.objects.filter(
            program=program, withdrawn_at__isnull=True, child__in=children
        ).exists()
    )


def program_get(*, program_id: object, actor: Resident) -> Program:
    """The program, if the actor may see it (see the module's docstring); else ``NotFound``."""
    program = (
        Program.objects.select_related("school", "district", "reader").filter(pk=program_id).first()
        if is_id(program_id)
        else None
    )
    if program is None or not _may_see(program, actor):
        raise NotFound(_("No such program."))
    return program


def _may_see(program: Program, actor: Resident) -> bool:
    if program_manages(program=program, actor=actor):
        return True
    if program.status == ProgramStatus.DRAFT:
        return False
    if actor.is_child:
        return ProgramChild.objects.filter(
            program=program, child=actor, left_at__isnull=True
        ).exists()
    return True


def program_get_managed(*, program_id: object, actor: Resident) -> Program:
    """The program, for one of its coordinators (or city staff).  Outsiders who may not see it
    get ``NotFound``; those who see it but do not manage it, ``Forbidden``."""
    program = program_get(program_id=program_id, actor=actor)
    if not program_manages(program=program, actor=actor):
        raise Forbidden(_("Only the program's coordinators may do this."), code="not_coordinator")
    return program


def program_list(*, actor: Resident) -> QuerySet[Program]:
    """The programs the actor sees: published and ended ones (for adults), the ones they
    coordinate, and — for a child — the ones they take part in."""
    programs = Program.objects.select_related("school", "district")
    mine = Q(coordinators=actor)
    if actor.is_child:
        return programs.filter(
            Q(children__child=actor, children__left_at__isnull=True)
            & ~Q(status=ProgramStatus.DRAFT)
        ).distinct()
    if resident_is_city_staff(actor):
        return programs.all()
    return programs.filter(mine | ~Q(status=ProgramStatus.DRAFT)).distinct()


def programs_coordinated(*, actor: Resident) -> QuerySet[Program]:
    """The programs the actor coordinates, for the coordinator's dashboard."""
    return Program.objects.select_related("school", "district").filter(coordinators=actor)


def program_sessions(*, program: Program) -> QuerySet[ProgramSession]:
    return ProgramSession.objects.filter(program=program)


def session_get(*, session_id: object, actor: Resident) -> ProgramSession:
    """A session of a program the actor may see; else ``NotFound``."""
    session = (
        ProgramSession.objects.select_related("program").filter(pk=session_id).first()
        if is_id(session_id)
        else None
    )
    if session is None:
        raise NotFound(_("No such session."))
    program_get(program_id=session.program_id, actor=actor)
    return session


# --- Volunteers -----------------------------------------------------------------------------------


def volunteer_offer_current(*, resident: Resident) -> VolunteerOffer | None:
    return (
        VolunteerOffer.objects.filter(resident=resident, withdrawn_at__isnull=True)
        .prefetch_related("districts")
        .first()
    )


def volunteering_of(*, resident: Resident) -> QuerySet[ProgramVolunteer]:
    """The senior's invitations and programs, newest first: the senior's page."""
    return (
        ProgramVolunteer.objects.filter(resident=resident)
        .select_related("program", "program__school", "program__district")
        .order_by("-invited_at", "-id")
    )


def program_volunteers(*, program: Program) -> QuerySet[ProgramVolunteer]:
    return ProgramVolunteer.objects.filter(program=program).select_related("resident")


def session_slots(*, sessions: list[ProgramSession]) -> set[str]:
    """The ``"<weekday>-<part of day>"`` slots the sessions fall in (local time): morning
    before noon, afternoon until 17:00, evening after."""
    slots = set()
    for session in sessions:
        local = timezone.localtime(session.starts_at)
        part = "morning" if local.hour < 12 else "afternoon" if local.hour < 17 else "evening"
        slots.add(f"{_WEEKDAYS[local.weekday()]}-{part}")
    return slots


@dataclass
class VolunteerMatch:
    """One offer ranked for a program, with the reasons a coordinator reads."""

    offer: VolunteerOffer
    score: int
    vetted: bool
    reasons: list[str] = field(default_factory=list)
    standing: str = ""  # the senior's status in the program, if invited already


def volunteer_matches(*, program: Program, actor: Resident) -> list[VolunteerMatch]:
    """Current offers ranked for the program: topic match (3), district match (2), each
    session slot the senior is free for (1 each, up to 3), and a current vetting record (2).
    Only coordinators ask; a fixed number of queries, however many offers there are."""
    if not program_manages(program=program, actor=actor):
        raise Forbidden(_("Only the program's coordinators may do this."), code="not_coordinator")
    today = timezone.localdate()
    slots = session_slots(sessions=list(_upcoming(program)))
    offers = list(
        VolunteerOffer.objects.filter(withdrawn_at__isnull=True)
        .select_related("resident")
        .prefetch_related("districts")
    )
    vetted = vetted_resident_ids([offer.resident_id for offer in offers], on=today)
    standings = dict(
        ProgramVolunteer.objects.filter(program=program).values_list("resident_id", "status")
    )
    matches = []
    for offer in offers:
        reasons: list[str] = []
        score = 0
        if program.theme in (offer.topics or []):
            score += 3
            reasons.append(_("Offers this program's theme."))
        if any(district.pk == program.district_id for district in offer.districts.all()):
            score += 2
            reasons.append(_("Can come to the program's district."))
        free = slots.intersection(offer.availability or [])
        if free:
            score += min(len(free), 3)
            reasons.append(_("Free at %(count)d of the sessions' times.") % {"count": len(free)})
        is_vetted = offer.resident_id in vetted
        if is_vetted:
            score += 2
            reasons.append(_("Holds a current vetting record."))
        else:
            reasons.append(_("No current vetting record: cannot take part until vetted."))
        matches.append(
            VolunteerMatch(
                offer=offer,
                score=score,
                vetted=is_vetted,
                reasons=reasons,
                standing=standings.get(offer.resident_id, ""),
            )
        )
    matches.sort(key=lambda match: (-match.score, match.offer.resident_id))
    return matches


def _upcoming(program: Program) -> QuerySet[ProgramSession]:
    return ProgramSession.objects.filter(
        program=program, cancelled_at__isnull=True, starts_at__gte=timezone.now()
    )


# --- Children, consent and what others see of a child --------------------------------------------


def consent_current(*, program: Program, child: Resident) -> ProgramConsent | None:
    return ProgramConsent.objects.filter(
        program=program, child=child, withdrawn_at__isnull=True
    ).first()


def program_children(*, program: Program) -> QuerySet[ProgramChild]:
    """The children taking part now (not those who left)."""
    return ProgramChild.objects.filter(program=program, left_at__isnull=True).select_related(
        "child", "child__district"
    )


def program_consents(*, program: Program, actor: Resident) -> QuerySet[ProgramConsent]:
    """Every consent given for the program (current and withdrawn), for its coordinators: the
    consent status at a glance."""
    if not program_manages(program=program, actor=actor):
        raise Forbidden(_("Only the program's coordinators may do this."), code="not_coordinator")
    return ProgramConsent.objects.filter(program=program).select_related("child", "guardian")


def child_card(
    *, child: Resident, viewer_sees_all: bool, grade: int | None = None
) -> dict[str, Any]:
    """What a viewer is shown of a child in a program.  Coordinators and the child's guardian
    (``viewer_sees_all``) see the child's record; everyone else — volunteers, other children,
    other guardians — sees the given name (``visible_name``) and school year (``grade``, read by
    the caller for the whole list at once), nothing else."""
    card: dict[str, Any] = {
        "id": child.pk,
        "name": visible_name(resident=child),
        "grade": grade,
    }
    if viewer_sees_all:
        card.update(
            full_name=child.name,
            birth_date=child.birth_date,
            district=child.district.name if child.district is not None else "",
        )
    return card


@dataclass
class Roster:
    children: list[dict[str, Any]]
    volunteers: list[Resident]
    coordinators: list[Resident]


def program_roster(*, program: Program, actor: Resident) -> Roster:
    """Who takes part, as the actor may see them (``child_card``), in a fixed number of
    queries: the children, the volunteers taking part, the coordinators, and the actor's own
    children."""
    manages = program_manages(program=program, actor=actor)
    own = set(resident_children(resident=actor).values_list("pk", flat=True))
    places = list(program_children(program=program))
    grades = identity_selectors.child_grades(child_ids=[place.child_id for place in places])
    children = [
        child_card(
            child=place.child,
            viewer_sees_all=manages or place.child_id in own,
            grade=grades.get(place.child_id),
        )
        for place in places
    ]
    volunteers = [
        volunteer.resident
        for volunteer in program_volunteers(program=program).filter(status=VolunteerStatus.ACCEPTED)
    ]
    return Roster(
        children=children, volunteers=volunteers, coordinators=list(program.coordinators.all())
    )


def session_volunteers_vetted(*, session: ProgramSession) -> list[Resident]:
    """The volunteers who take part in the session: accepted, and vetted on its date."""
    accepted = list(
        ProgramVolunteer.objects.filter(
            program_id=session.program_id, status=VolunteerStatus.ACCEPTED
        ).select_related("resident")
    )
    on = timezone.localdate(session.starts_at)
    vetted = vetted_resident_ids([volunteer.resident_id for volunteer in accepted], on=on)
    return [volunteer.resident for volunteer in accepted if volunteer.resident_id in vetted]


def volunteer_may_attend(*, resident: Resident, on: date) -> bool:
    return resident_is_vetted(resident, on=on)


@dataclass
class ChildProgram:
    """One program a guardian's child is in, or was consented for."""

    child: Resident
    program: Program
    consent: ProgramConsent | None
    taking_part: bool


def guardian_child_programs(*, actor: Resident) -> list[ChildProgram]:
    """Everything the actor's children take part in or were consented for (withdrawn consents
    too, newest first): the guardian's page.  Three queries however many children."""
    children = {child.pk: child for child in resident_children(resident=actor)}
    consents = list(
        ProgramConsent.objects.filter(child_id__in=children)
        .select_related("child", "program", "program__school", "program__district")
        .order_by("-given_at", "-id")
    )
    places = {
        (place.program_id, place.child_id): place
        for place in ProgramChild.objects.filter(
            child_id__in=children, left_at__isnull=True
        ).select_related("program", "program__school", "program__district")
    }
    seen: set[tuple[int, int]] = set()
    rows: list[ChildProgram] = []
    for consent in consents:
        key = (consent.program_id, consent.child_id)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            ChildProgram(
                child=children[consent.child_id],
                program=consent.program,
                consent=consent,
                taking_part=key in places,
            )
        )
    for key, place in places.items():
        if key not in seen:
            rows.append(
                ChildProgram(
                    child=children[place.child_id],
                    program=place.program,
                    consent=None,
                    taking_part=True,
                )
            )
    return rows


def session_attendance(*, session_id: object, actor: Resident) -> QuerySet[SessionAttendance]:
    """The attendance recorded for a session, for the program's coordinators."""
    session = session_get(session_id=session_id, actor=actor)
    if not program_manages(program=session.program, actor=actor):
        raise Forbidden(_("Only the program's coordinators may do this."), code="not_coordinator")
    return SessionAttendance.objects.filter(session=session).order_by("resident_id")


# --- Participation figures: they survive the retention of children's data -----------------------


@dataclass
class SessionParticipation:
    """How many took part in one session: numbers only."""

    session: ProgramSession
    children_present: int
    volunteers_present: int


def program_participation(*, program: Program) -> list[SessionParticipation]:
    """Each session of the program (cancelled ones aside) with how many children and volunteers
    were present.  Children are counted from their attendance until the retention of their data
    (``communities_program_retention``) deletes it, and from the count it kept
    (``ProgramSession.children_present``) after.  Three queries however many sessions."""
    sessions = list(ProgramSession.objects.filter(program=program, cancelled_at__isnull=True))
    children = set(ProgramChild.objects.filter(program=program).values_list("child_id", flat=True))
    kids: dict[int, int] = {}
    adults: dict[int, int] = {}
    for session_id, resident_id in SessionAttendance.objects.filter(
        session__program=program, present=True
    ).values_list("session_id", "resident_id"):
        tally = kids if resident_id in children else adults
        tally[session_id] = tally.get(session_id, 0) + 1
    return [
        SessionParticipation(
            session=session,
            children_present=(session.children_present or 0) + kids.get(session.pk, 0),
            volunteers_present=adults.get(session.pk, 0),
        )
        for session in sessions
    ]


# --- The coordinator's pages (dashboard, consents at a glance, a session's roster and photos) ----


@dataclass
class ProgramSummary:
    """One program on its coordinator's dashboard, with its figures."""

    program: Program
    seniors_accepted: int = 0
    children_taking_part: int = 0
    consents_current: int = 0
    consents_withdrawn: int = 0
    next_session: ProgramSession | None = None
    last_session: ProgramSession | None = None
    last_present: int = 0
    last_recorded: int = 0


def program_dashboard(*, actor: Resident) -> list[ProgramSummary]:
    """The programs the actor coordinates, each with seniors accepted, children taking part,
    children with current and with withdrawn consent (a child whose consent was withdrawn and
    given again counts as current), the next session and the attendance of the last session
    held.  Six queries however many programs."""
    programs = list(programs_coordinated(actor=actor).order_by("-starts_on", "-id"))
    summaries = {program.pk: ProgramSummary(program=program) for program in programs}
    if not summaries:
        return []
    ids = list(summaries)
    for program_id, count in (
        ProgramVolunteer.objects.filter(program_id__in=ids, status=VolunteerStatus.ACCEPTED)
        .values("program_id")
        .annotate(count=Count("id"))
        .values_list("program_id", "count")
    ):
        summaries[program_id].seniors_accepted = count
    for program_id, count in (
        ProgramChild.objects.filter(program_id__in=ids, left_at__isnull=True)
        .values("program_id")
        .annotate(count=Count("id"))
        .values_list("program_id", "count")
    ):
        summaries[program_id].children_taking_part = count
    current: dict[int, set[int]] = {pk: set() for pk in ids}
    withdrawn: dict[int, set[int]] = {pk: set() for pk in ids}
    for program_id, child_id, withdrawn_at in ProgramConsent.objects.filter(
        program_id__in=ids
    ).values_list("program_id", "child_id", "withdrawn_at"):
        (current if withdrawn_at is None else withdrawn)[program_id].add(child_id)
    for pk, summary in summaries.items():
        summary.consents_current = len(current[pk])
        summary.consents_withdrawn = len(withdrawn[pk] - current[pk])
    now = timezone.now()
    for session in ProgramSession.objects.filter(
        program_id__in=ids, cancelled_at__isnull=True
    ).order_by("starts_at", "id"):
        summary = summaries[session.program_id]
        if session.starts_at >= now:
            if summary.next_session is None:
                summary.next_session = session
        else:
            summary.last_session = session
    last = {
        summary.last_session.pk: summary
        for summary in summaries.values()
        if summary.last_session is not None
    }
    for session_id, present, recorded in (
        SessionAttendance.objects.filter(session_id__in=list(last))
        .values("session_id")
        .annotate(present=Count("id", filter=Q(present=True)), recorded=Count("id"))
        .values_list("session_id", "present", "recorded")
    ):
        last[session_id].last_present = present
        last[session_id].last_recorded = recorded
    return [summaries[program.pk] for program in programs]


@dataclass
class ConsentRow:
    """One child at a glance for the program's coordinators: the latest consent given for them
    (current or withdrawn), whether photos are allowed, and whether they take part."""

    child: Resident
    consent: ProgramConsent | None
    taking_part: bool
    grade: int | None

    @property
    def current(self) -> bool:
        return self.consent is not None and self.consent.withdrawn_at is None

    @property
    def photos_allowed(self) -> bool:
        return self.current and self.consent is not None and self.consent.photos_allowed


def program_consent_glance(*, program: Program, actor: Resident) -> list[ConsentRow]:
    """Every child consented for the program (current or withdrawn) or taking part, for its
    coordinators (``Forbidden`` for others), by given name.  Three queries however many
    children."""
    latest: dict[int, ProgramConsent] = {}
    for consent in program_consents(program=program, actor=actor).select_related(
        "guardian", "child", "child__district"
    ):
        latest.setdefault(consent.child_id, consent)  # newest first
    places = {place.child_id: place for place in program_children(program=program)}
    children = {consent.child_id: consent.child for consent in latest.values()}
    children.update({place.child_id: place.child for place in places.values()})
    grades = identity_selectors.child_grades(child_ids=list(children))
    rows = [
        ConsentRow(
            child=child,
            consent=latest.get(child_id),
            taking_part=child_id in places,
            grade=grades.get(child_id),
        )
        for child_id, child in children.items()
    ]
    rows.sort(key=lambda row: (row.child.name_kana or row.child.name, row.child.pk))
    return rows


def session_get_managed(*, session_id: object, actor: Resident) -> ProgramSession:
    """A session of a program the actor manages: ``NotFound`` for those who may not see the
    program, ``Forbidden`` for those who see it but do not manage it."""
    session = session_get(session_id=session_id, actor=actor)
    session.program = program_get_managed(program_id=session.program_id, actor=actor)
    return session


def session_photos_managed(*, session: ProgramSession) -> QuerySet[SessionPhoto]:
    """The session's photos with the children tagged in them (for the coordinators' page: the
    caller has checked that the actor manages the program)."""
    return SessionPhoto.objects.filter(session=session).prefetch_related(
        Prefetch("tags", queryset=SessionPhotoTag.objects.select_related("child"))
    )


# --- A session's photos and reflections, for those taking part -------------------------------------


def session_participant_get(*, session_id: object, actor: Resident) -> ProgramSession:
    """A session, for those taking part in its program: the coordinators (and city staff),
    accepted volunteers, children taking part and the guardians of children taking part.
    Everyone else — residents who may see the program's card too — gets ``NotFound``."""
    session = (
        ProgramSession.objects.select_related("program", "program__school", "program__district")
        .filter(pk=session_id)
        .first()
        if is_id(session_id)
        else None
    )
    if session is None or not _participates(session.program, actor):
        raise NotFound(_("No such session."))
    return session


def _participates(program: Program, actor: Resident) -> bool:
    if program_manages(program=program, actor=actor):
        return True
    if program.status == ProgramStatus.DRAFT:
        return False
    if ProgramVolunteer.objects.filter(
        program=program, resident=actor, status=VolunteerStatus.ACCEPTED
    ).exists():
        return True
    children = resident_children(resident=actor).values("pk")
    return (
        ProgramChild.objects.filter(program=program, left_at__isnull=True)
        .filter(Q(child=actor) | Q(child__in=children))
        .exists()
    )


def _photos_shown(session: ProgramSession) -> QuerySet[SessionPhoto]:
    """The session's photos in which every tagged child still has a current consent that
    allows photos (a withdrawal, or photos no longer allowed, hides the photo at once)."""
    allowing = ProgramConsent.objects.filter(
        program_id=session.program_id, withdrawn_at__isnull=True, photos_allowed=True
    ).values("child_id")
    not_allowed = SessionPhotoTag.objects.filter(photo=OuterRef("pk")).exclude(
        child_id__in=allowing
    )
    return SessionPhoto.objects.filter(session=session).exclude(Exists(not_allowed))


def session_photos(*, session_id: object, actor: Resident) -> QuerySet[SessionPhoto]:
    """The photos of a session that those taking part may see (``session_participant_get``),
    the earliest first; two queries."""
    session = session_participant_get(session_id=session_id, actor=actor)
    return _photos_shown(session).order_by("created_at", "id")


def session_photo_get(*, photo_id: object, actor: Resident) -> SessionPhoto:
    """One photo, for those who may see it (as ``session_photos``); else ``NotFound``."""
    photo = SessionPhoto.objects.filter(pk=photo_id).first() if is_id(photo_id) else None
    if photo is None:
        raise NotFound(_("No such photo."))
    try:
        session = session_participant_get(session_id=photo.session_id, actor=actor)
    except NotFound:
        raise NotFound(_("No such photo.")) from None
    if not _photos_shown(session).filter(pk=photo.pk).exists():
        raise NotFound(_("No such photo."))
    return photo


@dataclass
class ReflectionShown:
    """A reflection as a participant sees it: its author by ``child_card`` rules (a child by
    given name and school year; an adult by display name)."""

    id: int
    author: dict[str, Any]
    text: str
    created_at: Any
    by_guardian: bool


def session_reflections(*, session_id: object, actor: Resident) -> list[ReflectionShown]:
    """The reflections written after a session, for those taking part
    (``session_participant_get``), the earliest first; a fixed number of queries."""
    session = session_participant_get(session_id=session_id, actor=actor)
    reflections = list(
        SessionReflection.objects.filter(session=session).select_related(
            "author", "author__district"
        )
    )
    manages = program_manages(program=session.program, actor=actor)
    own = set(resident_children(resident=actor).values_list("pk", flat=True))
    child_ids = [row.author_id for row in reflections if row.author.is_child]
    grades = identity_selectors.child_grades(child_ids=child_ids)
    shown = []
    for row in reflections:
        author = row.author
        if author.is_child:
            card = child_card(
                child=author,
                viewer_sees_all=manages or author.pk in own or author.pk == actor.pk,
                grade=grades.get(author.pk),
            )
        else:
            card = {"id": author.pk, "name": author.display_name, "grade": None}
        shown.append(
            ReflectionShown(
                id=row.pk,
                author=card,
                text=row.text,
                created_at=row.created_at,
                by_guardian=row.written_by_id not in (None, author.pk),
            )
        )
    return shown


def reflection_authors(*, session: ProgramSession, actor: Resident) -> list[Resident]:
    """For whom the actor may write a reflection on the session's page: themselves (a child
    taking part, an accepted volunteer) and their children taking part.  The service
    (``reflection_write``) still decides; this only says which choices the form offers."""
    authors: list[Resident] = []
    if actor.is_child:
        if ProgramChild.objects.filter(
            program_id=session.program_id, child=actor, left_at__isnull=True
        ).exists():
            authors.append(actor)
        return authors
    if ProgramVolunteer.objects.filter(
        program_id=session.program_id, resident=actor, status=VolunteerStatus.ACCEPTED
    ).exists():
        authors.append(actor)
    authors.extend(
        resident_children(resident=actor).filter(
            program_places__program_id=session.program_id, program_places__left_at__isnull=True
        )
    )
    return authors


# --- What the participants' pages ask --------------------------------------------------------------


def program_participates(*, program: Program, actor: Resident) -> bool:
    """Whether the actor takes part (as ``session_participant_get`` lets them in): the
    program's page links its sessions only for them."""
    return _participates(program, actor)


def program_invitation(*, program: Program, actor: Resident) -> ProgramVolunteer | None:
    """The actor's standing as a volunteer in the program (invited, taking part, declined or
    taken off), if any."""
    return ProgramVolunteer.objects.filter(program=program, resident=actor).first()


def consentable_children(*, program: Program, actor: Resident) -> list[Resident]:
    """The actor's children who could be consented for the program now: children, without a
    current consent, and of a school year in its range (or with none recorded).  Empty unless
    the program is published.  Three queries."""
    if program.status != ProgramStatus.PUBLISHED or actor.is_child:
        return []
    children = [child for child in resident_children(resident=actor) if child.is_child]
    if not children:
        return []
    consented = set(
        ProgramConsent.objects.filter(
            program=program, child__in=children, withdrawn_at__isnull=True
        ).values_list("child_id", flat=True)
    )
    grades = identity_selectors.child_grades(child_ids=[child.pk for child in children])
    return [
        child
        for child in children
        if child.pk not in consented
        and (
            grades.get(child.pk) is None
            or program.grade_min <= grades[child.pk] <= program.grade_max
        )
    ]


def coming_sessions(*, program_ids: list[int]) -> dict[int, list[ProgramSession]]:
    """The coming (not cancelled, not yet ended) sessions of each program, the earliest first;
    one query."""
    coming: dict[int, list[ProgramSession]] = {pk: [] for pk in program_ids}
    for session in ProgramSession.objects.filter(
        program_id__in=program_ids, cancelled_at__isnull=True, ends_at__gte=timezone.now()
    ).order_by("starts_at", "id"):
        coming[session.program_id].append(session)
    return coming
