"""Vetting moves into the core (``campus_social.safeguarding``), keyed on the resident: every
lecturer's record is copied there, then ``courses.VettingRecord`` is dropped (0003)."""

from typing import Any

from django.db import migrations


def copy_vettings(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("courses", "VettingRecord")
    new = apps.get_model("safeguarding", "VettingRecord")
    new.objects.bulk_create(
        new(
            resident_id=record.lecturer.resident_id,
            checked_by_id=record.checked_by_id,
            checked_on=record.checked_on,
            expires_on=record.expires_on,
            note=record.note,
        )
        for record in old.objects.select_related("lecturer").order_by("pk")
    )


def copy_back(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("courses", "VettingRecord")
    new = apps.get_model("safeguarding", "VettingRecord")
    lecturers = apps.get_model("courses", "Lecturer")
    by_resident = dict(lecturers.objects.values_list("resident_id", "pk"))
    # Records of residents who are not lecturers have no home in the old model.
    old.objects.bulk_create(
        old(
            lecturer_id=by_resident[record.resident_id],
            checked_by_id=record.checked_by_id,
            checked_on=record.checked_on,
            expires_on=record.expires_on,
            note=record.note,
        )
        for record in new.objects.order_by("pk")
        if record.resident_id in by_resident
    )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("safeguarding", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_vettings, copy_back)]
