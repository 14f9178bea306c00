"""The admin site for intergenerational programs: operators look, and attach a venue's card
reader to a program (readers are registered by operators, ``manage.py
reader_device_register``).  Everything else changes only through ``communities.services``,
which hold the rules — consent, vetting, the room's membership — and their audit.

Read only above all where the record is evidence: guardians' consents, attendance, and the
audit log (``campus_social.audit``).  Residents appear by number, never by name; a reflection's
words and a photo are not shown (children's own words and pictures are for the program's
coordinators, in the program).
"""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from campus_social.common.admin import ReadOnlyAdmin
from communities.models import (
    Program,
    ProgramChild,
    ProgramConsent,
    ProgramSession,
    ProgramVolunteer,
    SessionAttendance,
    SessionPhoto,
    SessionPhotoTag,
    SessionReflection,
    VolunteerOffer,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ProgramSessionInline(_ReadOnlyInline):
    model = ProgramSession
    fields = ("starts_at", "ends_at", "cancelled_at", "children_present")
    readonly_fields = fields


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "school",
        "status",
        "starts_on",
        "ends_on",
        "reader",
        "child_data_purged_at",
    )
    list_filter = ("status", "theme")
    search_fields = ("title", "title_kana", "venue", "school__name")
    date_hierarchy = "starts_on"
    list_select_related = ("school", "reader")
    fields = (
        "school",
        "title",
        "title_kana",
        "theme",
        "grade_min",
        "grade_max",
        "starts_on",
        "ends_on",
        "venue",
        "reader",
        "district",
        "seniors_needed",
        "children_needed",
        "coordinator_ids",
        "status",
        "room_id",
        "created_by_id",
        "created_at",
        "closed_at",
        "child_data_purged_at",
    )
    # Only the card reader at the venue is the operators' to set.
    readonly_fields = tuple(field for field in fields if field != "reader")
    raw_id_fields = ("reader",)
    inlines = [ProgramSessionInline]

    @admin.display(description=_("coordinators (resident numbers)"))
    def coordinator_ids(self, program: Program) -> str:
        return ", ".join(str(pk) for pk in program.coordinators.values_list("pk", flat=True))

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A program is made by a school's coordinator (``program_create``), with its room.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProgramSession)
class ProgramSessionAdmin(ReadOnlyAdmin):
    list_display = ("id", "program", "starts_at", "ends_at", "cancelled_at", "children_present")
    search_fields = ("=program__id", "program__title")
    date_hierarchy = "starts_at"
    fields = ("program", "starts_at", "ends_at", "cancelled_at", "children_present")
    readonly_fields = fields
    raw_id_fields = ("program",)
    list_select_related = ("program",)


@admin.register(VolunteerOffer)
class VolunteerOfferAdmin(ReadOnlyAdmin):
    list_display = ("id", "resident_id", "updated_at", "withdrawn_at")
    search_fields = ("=resident__id",)
    date_hierarchy = "updated_at"
    fields = (
        "resident_id",
        "skills",
        "topics",
        "availability",
        "created_at",
        "updated_at",
        "withdrawn_at",
    )
    readonly_fields = fields
    raw_id_fields = ("resident",)


@admin.register(ProgramVolunteer)
class ProgramVolunteerAdmin(ReadOnlyAdmin):
    list_display = ("program", "resident_id", "status", "invited_at", "answered_at")
    list_filter = ("status",)
    search_fields = ("=program__id", "=resident__id")
    fields = (
        "program",
        "resident_id",
        "status",
        "invited_by_id",
        "invited_at",
        "answered_at",
        "removed_reason",
    )
    readonly_fields = fields
    raw_id_fields = ("program", "resident", "invited_by")
    list_select_related = ("program",)


@admin.register(ProgramConsent)
class ProgramConsentAdmin(ReadOnlyAdmin):
    # Evidence of what a guardian agreed to, and when it ended: never edited.
    list_display = (
        "program",
        "child_id",
        "guardian_id",
        "photos_allowed",
        "given_at",
        "withdrawn_at",
    )
    list_filter = ("photos_allowed",)
    search_fields = ("=program__id", "=child__id", "=guardian__id")
    date_hierarchy = "given_at"
    fields = (
        "program",
        "child_id",
        "guardian_id",
        "activities",
        "recorded",
        "photos_allowed",
        "given_at",
        "withdrawn_at",
        "withdrawn_by_id",
    )
    readonly_fields = fields
    raw_id_fields = ("program", "child", "guardian", "withdrawn_by")
    list_select_related = ("program",)


@admin.register(ProgramChild)
class ProgramChildAdmin(ReadOnlyAdmin):
    list_display = ("program", "child_id", "joined_at", "left_at")
    search_fields = ("=program__id", "=child__id")
    fields = ("program", "child_id", "added_by_id", "joined_at", "left_at")
    readonly_fields = fields
    raw_id_fields = ("program", "child", "added_by")
    list_select_related = ("program",)


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(ReadOnlyAdmin):
    # Evidence of who came: never edited here (the coordinator's roster, or the card).
    list_display = ("session", "resident_id", "present", "recorded_by_id", "recorded_at")
    list_filter = ("present",)
    search_fields = ("=session__id", "=resident__id")
    fields = ("session", "resident_id", "present", "recorded_by_id", "recorded_at")
    readonly_fields = fields
    raw_id_fields = ("session", "resident", "recorded_by")
    list_select_related = ("session",)


@admin.register(SessionReflection)
class SessionReflectionAdmin(ReadOnlyAdmin):
    # The words are left out: a child's reflection is for the program, not for operators.
    list_display = ("session", "author_id", "written_by_id", "created_at")
    search_fields = ("=session__id", "=author__id")
    fields = ("session", "author_id", "written_by_id", "created_at")
    readonly_fields = fields
    raw_id_fields = ("session", "author", "written_by")
    list_select_related = ("session",)


class SessionPhotoTagInline(_ReadOnlyInline):
    model = SessionPhotoTag
    fields = ("child_id",)
    readonly_fields = fields


@admin.register(SessionPhoto)
class SessionPhotoAdmin(ReadOnlyAdmin):
    # No preview and no link to the file: photos of children are not shown here.
    list_display = ("id", "session", "uploaded_by_id", "created_at")
    search_fields = ("=session__id",)
    date_hierarchy = "created_at"
    fields = ("session", "uploaded_by_id", "created_at")
    readonly_fields = fields
    raw_id_fields = ("session", "uploaded_by")
    inlines = [SessionPhotoTagInline]
    list_select_related = ("session",)
