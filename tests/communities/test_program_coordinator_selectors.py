"""The selectors of the coordinator's pages: the dashboard's figures in a fixed number of
queries, the consents at a glance (coordinators only), and a session for its coordinators."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campus_social.common.errors import Forbidden, NotFound
from communities import program_selectors as selectors
from communities import services
from tests.communities.program_builders import (
    consented_child,
    program_values,
    running_program,
    volunteer_in,
)
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_each_programs_people_and_sessions():
    running = running_program()
    volunteer = volunteer_in(running)
    taking_part = consented_child(running)
    consented_child(running, sign_up=False)
    gone = consented_child(running)
    services.consent_withdraw(
        actor=gone.guardian, program_id=running.program.pk, child_id=gone.child_id
    )
    back = consented_child(running)  # withdrawn, then given again: current
    services.consent_withdraw(
        actor=back.guardian, program_id=running.program.pk, child_id=back.child_id
    )
    services.consent_give(
        actor=back.guardian,
        program_id=running.program.pk,
        child_id=back.child_id,
        photos_allowed=False,
        sign_up=False,
    )
    held = services.session_add(
        actor=running.coordinator,
        program_id=running.program.pk,
        starts_at=timezone.now() - timedelta(minutes=30),
        ends_at=timezone.now() + timedelta(minutes=30),
    )
    services.attendance_record(
        actor=running.coordinator, session_id=held.pk, resident_id=volunteer.pk, present=True
    )
    services.attendance_record(
        actor=running.coordinator,
        session_id=held.pk,
        resident_id=taking_part.child_id,
        present=False,
    )

    [summary] = selectors.program_dashboard(actor=running.coordinator)

    assert summary.program == running.program
    assert summary.seniors_accepted == 1
    assert summary.children_taking_part == 1
    assert (summary.consents_current, summary.consents_withdrawn) == (3, 1)
    assert summary.next_session == running.session
    assert summary.last_session == held
    assert (summary.last_present, summary.last_recorded) == (1, 2)


def test_the_dashboard_is_empty_for_a_resident_who_coordinates_nothing():
    running_program()
    assert selectors.program_dashboard(actor=ResidentFactory()) == []


def test_the_dashboard_costs_six_queries_however_many_programs():
    running = running_program()
    services.session_add(
        actor=running.coordinator,
        program_id=running.program.pk,
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            selectors.program_dashboard(actor=running.coordinator)
        return len(context.captured_queries)

    one = queries()
    for title in ("二つ目の会", "三つ目の会"):
        program = services.program_create(
            actor=running.coordinator,
            school_id=running.program.school_id,
            values=program_values(title=title),
        )
        services.session_add(
            actor=running.coordinator,
            program_id=program.pk,
            starts_at=timezone.now() - timedelta(minutes=5),
            ends_at=timezone.now() + timedelta(hours=1),
        )
    volunteer_in(running)
    consented_child(running)
    assert queries() == one == 6


def test_the_consents_at_a_glance_show_each_child_once_with_the_latest_consent():
    running = running_program()
    taking_part = consented_child(running, photos=True)
    waiting = consented_child(running, photos=False, sign_up=False)
    gone = consented_child(running)
    services.consent_withdraw(
        actor=gone.guardian, program_id=running.program.pk, child_id=gone.child_id
    )

    rows = {
        row.child.pk: row
        for row in selectors.program_consent_glance(
            program=running.program, actor=running.coordinator
        )
    }

    assert set(rows) == {taking_part.child_id, waiting.child_id, gone.child_id}
    assert (rows[taking_part.child_id].current, rows[taking_part.child_id].photos_allowed) == (
        True,
        True,
    )
    assert rows[taking_part.child_id].taking_part
    assert (rows[waiting.child_id].current, rows[waiting.child_id].taking_part) == (True, False)
    assert not rows[waiting.child_id].photos_allowed
    assert (rows[gone.child_id].current, rows[gone.child_id].taking_part) == (False, False)
    assert not rows[gone.child_id].photos_allowed


def test_the_consents_at_a_glance_are_for_coordinators_only():
    running = running_program()
    consented_child(running)
    with pytest.raises(Forbidden):
        selectors.program_consent_glance(program=running.program, actor=ResidentFactory())


def test_a_managed_session_is_refused_to_others():
    running = running_program()
    assert (
        selectors.session_get_managed(session_id=running.session.pk, actor=running.coordinator)
        == running.session
    )
    with pytest.raises(Forbidden):
        selectors.session_get_managed(session_id=running.session.pk, actor=ResidentFactory())
    with pytest.raises(NotFound):
        selectors.session_get_managed(session_id=999999, actor=running.coordinator)
