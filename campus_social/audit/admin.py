from django.contrib import admin

from campus_social.audit.models import AuditEvent
from campus_social.common.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "action", "actor_id", "target_type", "target_id")
    list_filter = ("action",)
    search_fields = ("action", "target_id")
    date_hierarchy = "occurred_at"
