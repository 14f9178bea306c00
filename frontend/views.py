"""The site-wide pages: the landing page, signing in and out, the language and text-size
switches, "My page" and the error pages.  Each view parses its input, calls one service or
selector of identity, and renders; the rules and their messages live in the services.

Each area has a sub-package of its own (views, forms, urls): ``courses``, ``circles``,
``messaging``, ``notifications`` and ``staff`` (every city-staff page).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import NotFound, ServiceError
from campus_social.common.http import set_language_cookie
from campus_social.identity import selectors, services
from frontend.context_processors import TEXT_SIZE_COOKIE
from frontend.devices import describe_device
from frontend.forms import LoginForm
from frontend.helpers import safe_next

TEXT_SIZE_COOKIE_AGE = timedelta(days=365)


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/landing.html")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch between Japanese and English; a signed-in resident's choice is kept for next time."""
    chosen = request.POST.get("language", "")
    response = redirect(safe_next(request, request.POST.get("next")) or reverse("frontend:landing"))
    if chosen not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        services.resident_language_set(resident=request.user, language=chosen)
    set_language_cookie(response, chosen)
    return response


@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """Turn the large-text mode on or off (a cookie, so it works before signing in)."""
    response = redirect(safe_next(request, request.POST.get("next")) or reverse("frontend:landing"))
    if request.POST.get("size") == "large":
        response.set_cookie(
            TEXT_SIZE_COOKIE,
            "large",
            max_age=TEXT_SIZE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    return response


@sensitive_post_parameters("card_id", "pin")
@never_cache
def login_page(request: HttpRequest) -> HttpResponse:
    """Sign in with the resident card and its PIN.

    Open also to a signed-in resident (a shared kiosk, a family computer): signing in with a
    card then replaces the earlier session, which ``card_login`` ends first."""
    source = request.POST if request.method == "POST" else request.GET
    next_url = safe_next(request, source.get("next"))
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = LoginForm(request.POST)
        if form.is_valid():
            try:
                resident = services.card_login(
                    request=request,
                    card_id=form.cleaned_data["card_id"],
                    pin=form.cleaned_data["pin"],
                )
            except ServiceError as refusal:
                error = refusal
                form.show_service_error(refusal)
                status = refusal.status
            else:
                response = redirect(next_url or settings.LOGIN_REDIRECT_URL)
                set_language_cookie(response, resident.language)
                return response
        else:
            status = 400
    else:
        form = LoginForm()
    context = {
        "form": form,
        "error": error,
        "next": next_url,
        "signed_in_as": request.user if request.user.is_authenticated else None,
    }
    return render(request, "frontend/login.html", context, status=status)


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    services.session_end_current(request=request)
    messages.success(request, _("You have signed out. Thank you for visiting."))
    return redirect("frontend:landing")


@login_required
@never_cache
@require_GET
def my_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = selectors.resident_profile(resident=request.user)
    current_key = request.session.session_key
    sessions = [
        {
            "record": record,
            "device": describe_device(record.user_agent),
            "is_current": record.session_key == current_key,
        }
        for record in selectors.resident_sessions(resident=request.user)
    ]
    context = {
        "profile": profile,
        "sessions": sessions,
        # What an organiser types to invite me to a circle.
        "resident_number": request.user.pk,
        "is_school_coordinator": selectors.schools_coordinated(resident=request.user).exists(),
    }
    return render(request, "frontend/my_page.html", context)


@login_required
@require_POST
def session_end(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    try:
        services.session_end(resident=request.user, session_id=session_id)
    except NotFound as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("That session has ended. It is signed out now."))
    return redirect("frontend:my-page")


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "frontend/403.html", {"message": message}, status=403)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return forbidden(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form came back without its security token (often a page left open too long)."""
    message = _("This form has expired. Please go back, reload the page and try again.")
    return forbidden(request, message)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Under /api/ the core answers the error shape instead (campus_social.common.api.not_found).
    return render(request, "frontend/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever failed (the database, a context processor) may fail again.
    return HttpResponseServerError(loader.get_template("frontend/500.html").render())
