"""The admin site's sign-in: operators' passwords, throttled and audited as card sign-in is;
and the schools' records, read only."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from campus_social.common.admin import ReadOnlyAdmin
from campus_social.common.errors import ServiceError
from campus_social.identity import services
from campus_social.identity.models import GuardianLinkRequest, SchoolPlacement


class OperatorLoginForm(AdminAuthenticationForm):
    """``AdminAuthenticationForm`` with ``services.operator_authenticate`` in place of a bare
    ``authenticate()``, so that every try counts against the sign-in rate limits."""

    def clean(self) -> dict[str, Any]:
        login_name = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if login_name is not None and password:
            assert self.request is not None  # the admin's login view always passes it
            try:
                self.user_cache = services.operator_authenticate(
                    request=self.request, login_name=login_name, password=password
                )
            except ServiceError as refusal:
                raise ValidationError(refusal.message, code=refusal.code) from refusal
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


# --- Schools' records (issue #11): read only ------------------------------------------------------
# A placement and a guardian's request change only through ``identity.services.schools``
# (the school's coordinators, audited; confirming a request makes the ``GuardianLink``), so
# operators look and do not edit.  Residents appear by number, never by name.


@admin.register(SchoolPlacement)
class SchoolPlacementAdmin(ReadOnlyAdmin):
    list_display = ("child_id", "school", "school_year", "class_name", "recorded_at")
    list_filter = ("school_year",)
    search_fields = ("=child__id", "school__name")
    fields = ("child_id", "school", "school_year", "class_name", "recorded_by_id", "recorded_at")
    readonly_fields = fields
    raw_id_fields = ("child", "recorded_by")
    list_select_related = ("school",)


@admin.register(GuardianLinkRequest)
class GuardianLinkRequestAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "guardian_id", "child_id", "school", "status", "decided_at")
    list_filter = ("status",)
    search_fields = ("=guardian__id", "=child__id", "school__name")
    date_hierarchy = "created_at"
    fields = (
        "guardian_id",
        "child_id",
        "school",
        "status",
        "created_at",
        "decided_at",
        "decided_by_id",
    )
    readonly_fields = fields
    raw_id_fields = ("guardian", "child", "decided_by")
    list_select_related = ("school",)
