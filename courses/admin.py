from django.contrib import admin

from campus_social.common.admin import ReadOnlyAdmin
from courses.models import Course, Enrolment, Lecturer, Offering, Session


@admin.register(Lecturer)
class LecturerAdmin(ReadOnlyAdmin):
    list_display = ("display_name", "status", "applied_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("display_name", "name_kana")


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ("title", "category", "audience", "owner")
    list_filter = ("category", "audience")
    search_fields = ("title", "title_kana")


class SessionInline(admin.TabularInline):
    model = Session
    fields = ("starts_at", "ends_at", "cancelled_at")
    readonly_fields = fields
    extra = 0


@admin.register(Offering)
class OfferingAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "district", "capacity", "first_session_at")
    list_filter = ("status", "district")
    inlines = [SessionInline]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("offering", "resident_id", "status", "queued_at")
    list_filter = ("status",)
