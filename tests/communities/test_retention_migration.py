"""Migration ``communities.0005``: programs ended or cancelled before ``closed_at`` existed take
it from their audit entry (its function, run on rows as the old code left them)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from communities.models import Program
from tests.communities.program_builders import running_program

pytestmark = pytest.mark.django_db

migration = importlib.import_module("communities.migrations.0005_program_child_data_retention")


def test_closed_at_comes_from_the_audit_entry_of_the_end_or_cancellation():
    ended, cancelled, unrecorded, still_open = (running_program() for _ in range(4))
    when = timezone.now() - timedelta(days=40)
    for running, status in ((ended, "ended"), (cancelled, "cancelled"), (unrecorded, "ended")):
        Program.objects.filter(pk=running.program.pk).update(status=status, closed_at=None)
    for running, status in ((ended, "ended"), (cancelled, "cancelled")):
        AuditEvent.objects.create(
            occurred_at=when,
            action=f"program.{status}",
            target_type="communities.program",
            target_id=str(running.program.pk),
        )

    migration._closed_from_audit(apps, None)

    closed = dict(Program.objects.values_list("pk", "closed_at"))
    assert closed[ended.program.pk] == when
    assert closed[cancelled.program.pk] == when
    assert closed[unrecorded.program.pk] is None  # counts from the end of its term
    assert closed[still_open.program.pk] is None
