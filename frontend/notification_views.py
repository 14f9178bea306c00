"""The resident's notification pages: the list (mark one or all read) and the settings (how to
be told of each kind).  Plain forms that work without JavaScript; every view calls one service or
selector of ``campus_social.notifications``."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import NotFound, ServiceError
from campus_social.notifications import selectors, services
from campus_social.notifications.selectors import PreferenceSetting
from frontend.forms import PageForm
from frontend.views import safe_next

NOTIFICATIONS_PER_PAGE = 25


class NotificationSettingsForm(PageForm):
    """Two checkboxes per registered kind: ``<kind>:in_app`` and ``<kind>:email``."""

    def __init__(self, *args: Any, preferences: list[PreferenceSetting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preferences = preferences
        for preference in preferences:
            self.fields[f"{preference.kind}:in_app"] = forms.BooleanField(
                label=gettext_lazy("Show in Campus Social"),
                required=False,
                initial=preference.in_app,
            )
            self.fields[f"{preference.kind}:email"] = forms.BooleanField(
                label=gettext_lazy("Send me an email"),
                required=False,
                initial=preference.email,
            )

    def groups(self) -> list[tuple[PreferenceSetting, forms.BoundField, forms.BoundField]]:
        return [
            (preference, self[f"{preference.kind}:in_app"], self[f"{preference.kind}:email"])
            for preference in self.preferences
        ]

    def choices(self) -> list[services.PreferenceChoice]:
        return [
            services.PreferenceChoice(
                kind=preference.kind,
                in_app=self.cleaned_data[f"{preference.kind}:in_app"],
                email=self.cleaned_data[f"{preference.kind}:email"],
            )
            for preference in self.preferences
        ]


@login_required
@never_cache
@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = selectors.notification_list(resident=request.user)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "frontend/notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    try:
        services.notification_mark_read(resident=request.user, notification_id=notification_id)
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("The notification is marked as read."))
    return redirect(safe_next(request, request.POST.get("next")) or "frontend:notifications")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(resident=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification is marked as read.",
            "%(count)d notifications are marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("frontend:notifications")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    preferences = selectors.notification_preferences(resident=request.user)
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, preferences=preferences)
        if form.is_valid():
            try:
                services.notification_preferences_update(
                    resident=request.user, choices=form.choices()
                )
            except ServiceError as refusal:
                error = refusal
                status = refusal.status
            else:
                messages.success(request, _("Your choices are saved."))
                return redirect("frontend:notification-settings")
        else:
            status = 400
    else:
        form = NotificationSettingsForm(preferences=preferences)
    context = {"form": form, "error": error, "has_email": bool(request.user.email)}
    return render(request, "frontend/notifications/settings.html", context, status=status)
