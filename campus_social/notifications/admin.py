from django.contrib import admin

from campus_social.common.admin import ReadOnlyAdmin
from campus_social.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "resident_id", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("kind",)
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("resident_id", "kind", "in_app", "email")
    list_filter = ("kind", "in_app", "email")
