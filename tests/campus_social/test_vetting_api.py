"""``/api/v1/staff/residents/{id}/vetting/``: city staff record and read the vetting checks of
a volunteer (or anyone who works with children); everyone else is refused before anything is
read, and a child is not vetted."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from campus_social.safeguarding.models import VettingRecord
from campus_social.safeguarding.selectors import resident_is_vetted
from tests.factories import ChildFactory, SeniorFactory, VettingRecordFactory

pytestmark = pytest.mark.django_db


def url(resident_id: int) -> str:
    return f"/api/v1/staff/residents/{resident_id}/vetting/"


def dates(**days: int) -> dict[str, str]:
    today = timezone.localdate()
    return {name: (today + timedelta(days=n)).isoformat() for name, n in days.items()}


def test_staff_vet_a_senior_volunteer_who_then_counts_as_vetted(staff_api, city_staff):
    senior = SeniorFactory()

    response = staff_api.post(
        url(senior.pk), {**dates(checked_on=-3, expires_on=1095), "note": "研修受講"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["resident"] == senior.pk
    assert body["current"] is True
    assert body["checked_by"] == city_staff.pk
    assert resident_is_vetted(senior)
    assert AuditEvent.objects.filter(action="resident.vetted", target_id=str(senior.pk)).exists()


def test_staff_read_the_records_longest_running_first_in_a_fixed_number_of_queries(staff_api):
    senior = SeniorFactory()
    today = timezone.localdate()
    VettingRecordFactory(
        resident=senior, checked_on=today - timedelta(900), expires_on=today - timedelta(10)
    )
    staff_api.get(url(senior.pk))  # warm the session and permission caches

    with CaptureQueriesContext(connection) as one:
        staff_api.get(url(senior.pk))
    VettingRecordFactory(resident=senior)
    VettingRecordFactory(resident=senior)
    with CaptureQueriesContext(connection) as three:
        response = staff_api.get(url(senior.pk))

    assert len(three) == len(one)
    records = response.json()
    assert len(records) == 3
    assert [record["current"] for record in records][-1] is False
    assert records[0]["expires_on"] >= records[-1]["expires_on"]


def test_a_child_is_not_vetted_and_nothing_is_stored(staff_api):
    child = ChildFactory()

    response = staff_api.post(url(child.pk), dates(checked_on=0, expires_on=30), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "child"
    assert not VettingRecord.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        dates(checked_on=0, expires_on=0),
        dates(checked_on=2, expires_on=30),
        {"checked_on": "yesterday", "expires_on": "2030-01-01"},
        dates(checked_on=0),
    ],
)
def test_bad_dates_are_refused_and_nothing_is_stored(staff_api, body):
    senior = SeniorFactory()

    response = staff_api.post(url(senior.pk), body, format="json")

    assert response.status_code == 400
    assert not VettingRecord.objects.exists()


def test_an_unknown_resident_answers_404(staff_api):
    response = staff_api.post(url(999_999), dates(checked_on=0, expires_on=30), format="json")

    assert response.status_code == 404
    assert staff_api.get(url(999_999)).status_code == 404


def test_anonymous_visitors_and_residents_who_are_not_staff_are_refused(api_client, resident_api):
    senior = SeniorFactory()
    body = dates(checked_on=0, expires_on=30)

    assert api_client.get(url(senior.pk)).status_code in (401, 403)
    assert api_client.post(url(senior.pk), body, format="json").status_code in (401, 403)
    assert resident_api.get(url(senior.pk)).status_code == 403
    assert resident_api.post(url(senior.pk), body, format="json").status_code == 403
    assert not VettingRecord.objects.exists()
