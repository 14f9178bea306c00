"""Read-mostly admin: operators may look at rooms and their moderation, and rename or close a
room.  Everything else — membership, messages, reports, moderation — changes only through
``messaging.services``, which hold the safeguarding rules and broadcast the changes.

Message texts (and their earlier versions) are left out on purpose: they are residents' private
words, which moderators read in the rooms they moderate, not operators in bulk.
"""

from django.contrib import admin
from django.http import HttpRequest

from campus_social.common.admin import ReadOnlyAdmin
from messaging.models import Message, MessageReport, ModerationAction, Room, RoomMember


class RoomMemberInline(admin.TabularInline):
    model = RoomMember
    fields = ("resident_id", "role", "last_read_seq", "muted_until", "joined_at")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "title", "subject_key", "last_seq", "created_at", "closed_at")
    list_filter = ("kind",)
    search_fields = ("title", "subject_key")
    date_hierarchy = "created_at"
    fields = ("kind", "subject_key", "title", "last_seq", "created_at", "closed_at")
    readonly_fields = ("kind", "subject_key", "last_seq", "created_at")
    inlines = [RoomMemberInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Rooms are made by the app that owns their subject (or by opening a direct room).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RoomMember)
class RoomMemberAdmin(ReadOnlyAdmin):
    list_display = ("room_id", "resident_id", "role", "last_read_seq", "muted_until")
    list_filter = ("role",)
    search_fields = ("=room__id", "=resident__id")
    fields = ("room", "resident_id", "role", "last_read_seq", "muted_until", "joined_at")
    readonly_fields = fields
    list_select_related = ("room",)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("room_id", "seq", "author_id", "created_at", "edited_at", "removed_reason")
    list_filter = ("removed_reason",)
    search_fields = ("=room__id",)
    date_hierarchy = "created_at"
    fields = (
        "room",
        "seq",
        "author_id",
        "client_id",
        "reply_to",
        "created_at",
        "edited_at",
        "removed_at",
        "removed_reason",
        "removal_final",
    )
    readonly_fields = fields


@admin.register(MessageReport)
class MessageReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "message", "reporter_id", "resolution", "resolved_at")
    list_filter = ("resolution",)
    date_hierarchy = "created_at"
    fields = (
        "message",
        "reporter_id",
        "reason",
        "created_at",
        "resolved_at",
        "resolved_by_id",
        "resolution",
    )
    readonly_fields = fields
    list_select_related = ("message",)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "room_id", "action", "moderator_id", "message", "member_id")
    list_filter = ("action",)
    search_fields = ("=room__id",)
    date_hierarchy = "created_at"
    fields = (
        "room",
        "action",
        "moderator_id",
        "message",
        "member_id",
        "reason",
        "until",
        "created_at",
    )
    readonly_fields = fields
    list_select_related = ("message",)
