import pytest
from django.db import DatabaseError, connection, transaction

from campus_social.audit.models import AppendOnlyError, AuditEvent
from campus_social.audit.services import audit_record
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_an_event_records_who_what_and_the_target_by_id(resident):
    event = audit_record(actor=resident, action="resident.viewed", target=resident)
    assert (event.actor_id, event.action) == (resident.pk, "resident.viewed")
    assert (event.target_type, event.target_id) == ("identity.resident", str(resident.pk))
    assert event.occurred_at is not None


def test_personal_data_is_refused_in_the_detail(resident):
    with pytest.raises(ValueError, match="personal data"):
        audit_record(actor=resident, action="x", detail={"name": resident.name})
    assert not AuditEvent.objects.exists()


def test_the_log_cannot_be_changed_or_deleted_through_the_orm(resident):
    event = audit_record(actor=resident, action="login.succeeded")
    event.action = "nothing.happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="nothing")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_an_update_even_in_raw_sql(resident):
    audit_record(actor=resident, action="login.succeeded")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged'")
    assert AuditEvent.objects.get().action == "login.succeeded"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite empties tables with DELETE")
def test_postgresql_refuses_a_delete_in_raw_sql(resident):
    audit_record(actor=resident, action="login.succeeded")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_deleting_a_resident_leaves_their_events(resident):
    audit_record(actor=resident, action="login.succeeded")
    resident.delete()
    assert AuditEvent.objects.get().actor_id is not None


def test_staff_read_the_log_filtered_and_paginated(staff_api, resident):
    for _n in range(3):
        audit_record(actor=resident, action="login.succeeded")
    audit_record(actor=resident, action="card.locked")

    response = staff_api.get("/api/v1/staff/audit/", {"action": "login.", "actor": resident.pk})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {event["action"] for event in body["results"]} == {"login.succeeded"}


def test_a_bad_filter_answers_400(staff_api):
    response = staff_api.get("/api/v1/staff/audit/", {"since": "yesterday"})
    assert response.status_code == 400
    assert "since" in response.json()["fields"]


def test_audit_list_costs_the_same_queries_for_any_page_size(
    staff_api, django_assert_max_num_queries
):
    """Guards against a query per event row (6: session, resident, staff role twice, count, page)."""
    actor = ResidentFactory()
    for _n in range(60):
        audit_record(actor=actor, action="login.succeeded")
    with django_assert_max_num_queries(6):
        assert len(staff_api.get("/api/v1/staff/audit/?page_size=60").json()["results"]) == 60
