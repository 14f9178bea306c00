"""The resident's notification pages: the list (mark one or all read) and the settings (how to
be told of each kind).  Plain forms that work without JavaScript; every view calls one service or
selector of ``campus_social.notifications``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import NotFound, ServiceError
from campus_social.notifications import selectors, services
from frontend.helpers import safe_next
from frontend.notifications.forms import NotificationSettingsForm

NOTIFICATIONS_PER_PAGE = 25


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
