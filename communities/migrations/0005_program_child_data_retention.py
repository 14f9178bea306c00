"""Issue #11: the retention of children's program data.

``Program.closed_at`` (when it was ended or cancelled), ``Program.child_data_purged_at`` (when
``communities_program_retention`` deleted its children's data) and
``ProgramSession.children_present`` (the anonymous count kept when their attendance goes).

Programs ended or cancelled before this migration take ``closed_at`` from the audit log's
``program.ended`` / ``program.cancelled`` entry; one without such an entry keeps it empty and
its retention period counts from the end of its term (``ends_on``).
"""

from typing import Any

from django.db import migrations, models


def _closed_from_audit(apps: Any, schema_editor: Any) -> None:
    Program = apps.get_model("communities", "Program")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    closed = Program.objects.filter(status__in=("ended", "cancelled"), closed_at__isnull=True)
    for program in closed.only("pk", "status"):
        entry = (
            AuditEvent.objects.filter(
                action=f"program.{program.status}",
                target_type="communities.program",
                target_id=str(program.pk),
            )
            .order_by("-occurred_at", "-id")
            .first()
        )
        if entry is not None:
            Program.objects.filter(pk=program.pk).update(closed_at=entry.occurred_at)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("communities", "0004_intergenerational_programs"),
    ]

    operations = [
        migrations.AddField(
            model_name="program",
            name="child_data_purged_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="children's data deleted"
            ),
        ),
        migrations.AddField(
            model_name="program",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="ended or cancelled"),
        ),
        migrations.AddField(
            model_name="programsession",
            name="children_present",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="children present"
            ),
        ),
        migrations.RunPython(_closed_from_audit, migrations.RunPython.noop, elidable=True),
    ]
