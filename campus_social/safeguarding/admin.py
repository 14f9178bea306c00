from django.contrib import admin

from campus_social.common.admin import ReadOnlyAdmin
from campus_social.safeguarding.models import VettingRecord


@admin.register(VettingRecord)
class VettingRecordAdmin(ReadOnlyAdmin):
    # Read-only: a record is added through ``vetting_record_add`` (city staff, audited).
    list_display = (
        "resident_id",
        "checked_on",
        "expires_on",
        "checked_by_id",
        "expiry_notified_at",
    )
    date_hierarchy = "expires_on"
