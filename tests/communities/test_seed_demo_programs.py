"""``manage.py seed_demo_programs``: the demo town's programs at 桜台小学校, after ``seed_demo`` —
what the coordinator, the seniors, the guardians and the child of ``docs/demo.md`` find."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from campus_social.identity.models import Resident
from campus_social.notifications.models import Notification
from campus_social.safeguarding.selectors import resident_is_vetted
from communities import program_selectors as selectors
from communities.management.commands.seed_demo_programs import DRAFT_TITLE, RUNNING_TITLE
from communities.models import (
    Program,
    ProgramConsent,
    SessionAttendance,
    SessionPhoto,
    SessionReflection,
)
from messaging.models import Message, RoomMember

pytestmark = pytest.mark.django_db


def seed_programs() -> str:
    out = StringIO()
    call_command("seed_demo_programs", "--no-progress", stdout=out)
    return out.getvalue()


def seed_town() -> None:
    call_command("seed_demo", "--no-progress", stdout=StringIO())


@pytest.fixture(scope="module")
def seeded(module_db, django_db_blocker) -> str:
    """The town and its programs, seeded once for the module: its tests only read."""
    with django_db_blocker.unblock():
        seed_town()
        return seed_programs()


def persona(key: str) -> Resident:
    return Resident.objects.get(login_name=f"persona-{key}")


def running() -> Program:
    return Program.objects.get(title=RUNNING_TITLE)


def test_the_coordinator_runs_a_published_program_with_sessions_held_and_to_come(seeded):
    program = running()
    coordinator = persona("coordinator")

    assert program.status == Program.Status.PUBLISHED
    assert program.school.name == "青葉市立桜台小学校"
    assert list(program.coordinators.all()) == [coordinator]
    sessions = list(selectors.program_sessions(program=program))
    now = timezone.now()
    assert [session.starts_at < now for session in sessions] == [True, True, False, False, False]
    assert [p.title for p in selectors.programs_coordinated(actor=coordinator)] == [
        RUNNING_TITLE,
        DRAFT_TITLE,
    ]
    assert Program.objects.get(title=DRAFT_TITLE).status == Program.Status.DRAFT
    assert f"{RUNNING_TITLE} (" in seeded


def test_the_matches_rank_vetted_seniors_and_say_who_cannot_take_part(seeded):
    program = running()
    with translation.override("en"):
        matches = selectors.volunteer_matches(program=program, actor=persona("coordinator"))

    standings = [match.standing for match in matches]
    assert sorted(filter(None, standings)) == ["accepted", "accepted", "invited", "removed"]
    not_invited = [match for match in matches if not match.standing]
    assert [match.vetted for match in not_invited].count(False) == 1
    assert [match.vetted for match in not_invited].count(True) == 1
    unvetted = next(match for match in not_invited if not match.vetted)
    vetted = next(match for match in not_invited if match.vetted)
    assert matches.index(vetted) < matches.index(unvetted)
    assert "cannot take part" in " ".join(unvetted.reasons)


def test_the_senior_persona_volunteers_and_one_senior_was_taken_off_when_his_vetting_ran_out(
    seeded,
):
    program = running()
    senior = persona("senior")
    standing = {v.resident_id: v for v in selectors.program_volunteers(program=program)}

    assert standing[senior.pk].status == "accepted"
    assert resident_is_vetted(senior)
    removed = next(v for v in standing.values() if v.status == "removed")
    assert removed.removed_reason == "vetting_expired"
    assert not resident_is_vetted(removed.resident)
    assert not RoomMember.objects.filter(room=program.room, resident=removed.resident).exists()
    assert Notification.objects.filter(
        resident=removed.resident, kind="communities.programs"
    ).exists()
    assert Notification.objects.filter(
        resident=persona("coordinator"), title__contains=removed.resident.display_name
    ).exists()


def test_children_come_with_consent_photos_only_where_allowed_and_one_consent_was_withdrawn(
    seeded,
):
    program = running()
    consents = list(ProgramConsent.objects.filter(program=program))
    taking_part = {place.child_id for place in selectors.program_children(program=program)}

    child = persona("child")
    assert child.pk in taking_part
    assert len(taking_part) == 3
    assert all(
        any(c.child_id == pk and c.withdrawn_at is None for c in consents) for pk in taking_part
    )
    withdrawn = [c for c in consents if c.withdrawn_at is not None]
    assert len(withdrawn) == 1
    assert withdrawn[0].child_id not in taking_part
    consented_only = [
        c for c in consents if c.withdrawn_at is None and c.child_id not in taking_part
    ]
    assert len(consented_only) == 1  # the coordinator can add her
    photo = SessionPhoto.objects.get(session__program=program)
    tagged = set(photo.tags.values_list("child_id", flat=True))
    allowed = {c.child_id for c in consents if c.withdrawn_at is None and c.photos_allowed}
    assert child.pk in tagged
    assert tagged <= allowed & taking_part


def test_the_sessions_held_have_attendance_and_reflections_from_both_sides(seeded):
    program = running()
    held = [s for s in selectors.program_sessions(program=program) if s.starts_at < timezone.now()]

    for session in held:
        assert SessionAttendance.objects.filter(session=session).count() == 5
    assert SessionAttendance.objects.filter(session=held[0], present=False).count() == 1
    authors = set(
        SessionReflection.objects.filter(session__program=program).values_list(
            "author__login_name", flat=True
        )
    )
    assert {"persona-senior", "persona-child"} <= authors
    assert len(authors) == 3
    for_a_child = SessionReflection.objects.exclude(
        author__login_name__in=["persona-senior", "persona-child"]
    ).get()
    assert for_a_child.written_by != for_a_child.author


def test_the_guardian_sees_her_child_and_reads_the_moderated_room(seeded):
    program = running()
    guardian = persona("guardian")

    rows = selectors.guardian_child_programs(actor=guardian)
    assert [(row.child.login_name, row.taking_part) for row in rows] == [("persona-child", True)]
    roles = dict(RoomMember.objects.filter(room=program.room).values_list("resident", "role"))
    assert roles[guardian.pk] == "reader"
    assert roles[persona("coordinator").pk] == "moderator"
    assert roles[persona("child").pk] == "member"
    assert Message.objects.filter(room=program.room).count() == 2


def test_a_senior_sees_a_child_only_by_given_name_and_school_year(seeded):
    roster = selectors.program_roster(program=running(), actor=persona("senior"))

    himari = next(card for card in roster.children if card["id"] == persona("child").pk)
    assert himari == {"id": himari["id"], "name": "陽葵", "grade": himari["grade"]}
    assert 2 <= himari["grade"] <= 6
