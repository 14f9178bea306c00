"""A school's program itself: creating, editing, publishing, ending and cancelling it, its
sessions, and who may see and manage it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.identity.models import Organisation
from campus_social.identity.selectors import OPERATOR
from campus_social.identity.services import reader_device_register
from communities import program_selectors as selectors
from communities import services
from communities.models import Program, ProgramSession
from messaging.models import Room, RoomMember
from tests.communities.program_builders import (
    coordinator_of,
    program_values,
    running_program,
    school,
)
from tests.factories import ChildFactory, OrganisationFactory, ResidentFactory, make_city_staff

pytestmark = pytest.mark.django_db


def test_a_coordinator_creates_a_draft_program_with_its_room_which_they_moderate():
    organisation = school()
    coordinator = coordinator_of(organisation)

    program = services.program_create(
        actor=coordinator, school_id=organisation.pk, values=program_values()
    )

    assert program.status == Program.Status.DRAFT
    assert list(program.coordinators.all()) == [coordinator]
    assert program.room is not None
    assert program.room.kind == Room.Kind.PROGRAM
    assert RoomMember.objects.get(room=program.room, resident=coordinator).role == "moderator"
    assert AuditEvent.objects.filter(action="program.created", target_id=str(program.pk)).exists()


def test_city_staff_create_a_program_naming_the_schools_coordinators():
    organisation = school()
    coordinator = coordinator_of(organisation)

    program = services.program_create(
        actor=make_city_staff(),
        school_id=organisation.pk,
        values=program_values(coordinator_ids=[coordinator.pk]),
    )

    assert list(program.coordinators.all()) == [coordinator]


def test_only_the_schools_coordinators_create_its_programs():
    organisation = school()
    other_school_coordinator = coordinator_of(school())

    for outsider in (ResidentFactory(), other_school_coordinator):
        with pytest.raises(Forbidden):
            services.program_create(
                actor=outsider, school_id=organisation.pk, values=program_values()
            )
    assert not Program.objects.exists()


def test_programs_belong_to_schools_only():
    other = OrganisationFactory(kind=Organisation.Kind.OTHER)
    coordinator = coordinator_of(other)

    with pytest.raises(NotFound):
        services.program_create(actor=coordinator, school_id=other.pk, values=program_values())


def test_a_coordinator_named_must_hold_the_role_at_that_school():
    organisation = school()
    coordinator = coordinator_of(organisation)

    with pytest.raises(Invalid) as refusal:
        services.program_create(
            actor=coordinator,
            school_id=organisation.pk,
            values=program_values(coordinator_ids=[coordinator.pk, ResidentFactory().pk]),
        )
    assert "coordinator_ids" in refusal.value.fields


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"grade_min": 0}, "grade_min"),
        ({"grade_max": 13}, "grade_max"),
        ({"grade_min": 5, "grade_max": 2}, "grade_max"),
        ({"theme": "karaoke"}, "theme"),
        ({"title": "   "}, "title"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"seniors_needed": 0}, "seniors_needed"),
        ({"district_id": None}, "district_id"),
    ],
)
def test_bad_program_details_are_refused_field_by_field(values, field):
    organisation = school()
    coordinator = coordinator_of(organisation)

    with pytest.raises(Invalid) as refusal:
        services.program_create(
            actor=coordinator, school_id=organisation.pk, values=program_values(**values)
        )
    assert field in refusal.value.fields
    assert not Program.objects.exists()


def test_a_program_moves_from_draft_to_published_to_ended_and_not_back():
    running = running_program()
    assert running.program.status == Program.Status.PUBLISHED

    services.program_end(actor=running.coordinator, program_id=running.program.pk)

    with pytest.raises(Conflict):
        services.program_publish(actor=running.coordinator, program_id=running.program.pk)
    with pytest.raises(Conflict):
        services.program_cancel(actor=running.coordinator, program_id=running.program.pk)
    assert Program.objects.get().status == Program.Status.ENDED


def test_only_the_programs_coordinators_manage_it():
    running = running_program()
    other_coordinator = coordinator_of(running.program.school)

    with pytest.raises(Forbidden):
        services.program_update(
            actor=other_coordinator, program_id=running.program.pk, values={"title": "x"}
        )
    with pytest.raises(Forbidden):
        services.program_end(actor=ResidentFactory(), program_id=running.program.pk)


def test_a_new_coordinator_moderates_the_room_and_one_dropped_leaves_it():
    running = running_program()
    second = coordinator_of(running.program.school)

    services.program_update(
        actor=running.coordinator,
        program_id=running.program.pk,
        values={"coordinator_ids": [second.pk], "title": "新しい名前"},
    )

    members = dict(
        RoomMember.objects.filter(room=running.program.room).values_list("resident_id", "role")
    )
    assert members == {second.pk: "moderator"}
    running.program.room.refresh_from_db()
    assert running.program.room.title == "新しい名前"


def test_sessions_fall_within_the_term_and_end_after_they_start():
    running = running_program()
    far = timezone.now() + timedelta(days=400)

    with pytest.raises(Invalid) as refusal:
        services.session_add(
            actor=running.coordinator,
            program_id=running.program.pk,
            starts_at=far,
            ends_at=far - timedelta(hours=1),
        )
    assert set(refusal.value.fields) == {"starts_at", "ends_at"}
    assert ProgramSession.objects.count() == 1


def test_a_coming_session_is_cancelled_once():
    running = running_program()

    services.session_cancel(actor=running.coordinator, session_id=running.session.pk)

    with pytest.raises(Conflict):
        services.session_cancel(actor=running.coordinator, session_id=running.session.pk)
    assert ProgramSession.objects.get().cancelled_at is not None


def test_a_draft_is_hidden_from_all_but_its_coordinators_and_staff():
    organisation = school()
    coordinator = coordinator_of(organisation)
    draft = services.program_create(
        actor=coordinator, school_id=organisation.pk, values=program_values()
    )

    assert selectors.program_get(program_id=draft.pk, actor=coordinator) == draft
    assert selectors.program_get(program_id=draft.pk, actor=make_city_staff()) == draft
    with pytest.raises(NotFound):
        selectors.program_get(program_id=draft.pk, actor=ResidentFactory())
    assert list(selectors.program_list(actor=ResidentFactory())) == []


def test_a_child_sees_only_the_programs_they_take_part_in():
    running = running_program()

    with pytest.raises(NotFound):
        selectors.program_get(program_id=running.program.pk, actor=ChildFactory())
    assert list(selectors.program_list(actor=ChildFactory())) == []
    assert list(selectors.program_list(actor=ResidentFactory())) == [running.program]


# --- The card reader where volunteers check in ----------------------------------------------------


def _reader_of(organisation: Organisation, *, active: bool = True):
    device, _key = reader_device_register(
        actor=OPERATOR, name="多目的室の読み取り機", organisation_slug=organisation.slug
    )
    if not active:
        type(device).objects.filter(pk=device.pk).update(is_active=False)
    return device


def test_a_coordinator_sets_and_clears_the_schools_card_reader():
    running = running_program()
    reader = _reader_of(running.program.school)

    services.program_update(
        actor=running.coordinator, program_id=running.program.pk, values={"reader_id": reader.pk}
    )
    assert Program.objects.get(pk=running.program.pk).reader == reader
    services.program_update(
        actor=running.coordinator, program_id=running.program.pk, values={"reader_id": None}
    )
    assert Program.objects.get(pk=running.program.pk).reader is None


@pytest.mark.parametrize("which", ["another_organisation", "inactive", "unknown"])
def test_only_an_active_reader_of_the_school_is_taken(which):
    running = running_program()
    reader_id = {
        "another_organisation": lambda: _reader_of(OrganisationFactory()).pk,
        "inactive": lambda: _reader_of(running.program.school, active=False).pk,
        "unknown": lambda: 999_999,
    }[which]()

    with pytest.raises(Invalid) as refused:
        services.program_update(
            actor=running.coordinator,
            program_id=running.program.pk,
            values={"reader_id": reader_id},
        )

    assert list(refused.value.fields) == ["reader_id"]
    assert Program.objects.get(pk=running.program.pk).reader is None
