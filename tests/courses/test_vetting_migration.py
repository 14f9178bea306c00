"""Migration ``courses.0002``: each lecturer's vetting record moves to the core, on the
lecturer's resident, and still counts there."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from campus_social.safeguarding.models import VettingRecord
from campus_social.safeguarding.selectors import resident_is_vetted
from tests.courses.factories import LecturerFactory
from tests.factories import make_city_staff

BEFORE = [("courses", "0001_initial"), ("safeguarding", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_the_lecturers_vetting_records_move_to_their_residents():
    lecturer = LecturerFactory()
    staff = make_city_staff()
    today = timezone.localdate()
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("courses", "VettingRecord")
    old.objects.create(
        lecturer_id=lecturer.pk,
        checked_by_id=staff.pk,
        checked_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=300),
        note="研修受講済み",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(leaves)

    (record,) = VettingRecord.objects.all()
    assert (record.resident_id, record.checked_by_id, record.note) == (
        lecturer.resident_id,
        staff.pk,
        "研修受講済み",
    )
    assert resident_is_vetted(lecturer.resident)
