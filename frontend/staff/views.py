"""The city staff's pages: finding and registering residents, card care, vetting for work with
children, card readers and the audit log.  Every view is behind ``staff_page``, which lets only city staff in."""

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.audit import selectors as audit_selectors
from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import Invalid, ServiceError
from campus_social.identity import selectors, services
from campus_social.safeguarding import selectors as safeguarding_selectors
from campus_social.safeguarding import services as safeguarding_services
from frontend.decorators import staff_page
from frontend.staff.forms import (
    AuditFilterForm,
    CardReplaceForm,
    ReaderDeviceForm,
    ResidentRegisterForm,
    ResidentSearchForm,
    VettingForm,
)

RESIDENTS_PER_PAGE = 25
AUDIT_EVENTS_PER_PAGE = 50

View = Callable[..., HttpResponse]


@staff_page
@require_GET
def staff_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ResidentSearchForm(request.GET)
    page = None
    query = ""
    status = 200
    if form.is_valid() and form.cleaned_data["q"].strip():
        try:
            residents = selectors.resident_search_for_staff(
                actor=request.user, query=form.cleaned_data["q"]
            )
        except Invalid as error:  # a My Number: refused, and not shown back
            form.show_service_error(error)
            status = 400
        else:
            query = form.cleaned_data["q"].strip()
            page = Paginator(residents, RESIDENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query}
    return render(request, "frontend/staff/home.html", context, status=status)


@sensitive_post_parameters("card_id", "pin", "guardian_card_id")
@staff_page
@require_http_methods(["GET", "POST"])
def resident_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = ResidentRegisterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            roles = (
                [services.RoleGrant(organisation_slug=data["role_organisation"], role=data["role"])]
                if data["role_organisation"]
                else []
            )
            try:
                resident = services.resident_register(
                    actor=request.user,
                    name=data["name"],
                    given_name=data["given_name"],
                    name_kana=data["name_kana"],
                    birth_date=data["birth_date"],
                    card_id=data["card_id"],
                    pin=data["pin"],
                    district=data["district"],
                    email=data["email"],
                    language=data["language"],
                    roles=roles,
                    guardian_card_id=data["guardian_card_id"],
                )
            except Invalid as refusal:
                error = refusal
                form.show_service_error(refusal, field_names=form.service_field_names)
                status = refusal.status
            else:
                messages.success(
                    request,
                    _("%(name)s is registered. The card can be used from now on.")
                    % {"name": resident.name},
                )
                return redirect("frontend:staff-resident", resident_id=resident.pk)
        else:
            status = 400
    else:
        form = ResidentRegisterForm()
    return render(
        request, "frontend/staff/resident_new.html", {"form": form, "error": error}, status=status
    )


def _resident_page(
    request: AuthenticatedHttpRequest,
    resident_id: int,
    *,
    replace_form: CardReplaceForm | None = None,
    replace_error: ServiceError | None = None,
    vetting_form: VettingForm | None = None,
    vetting_error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    resident = selectors.resident_get_for_staff(actor=request.user, resident_id=resident_id)
    context = {
        "resident": resident,
        "profile": selectors.resident_profile(resident=resident),
        "cards": selectors.resident_cards(resident=resident),
        "replace_form": replace_form or CardReplaceForm(),
        "replace_error": replace_error,
        "vetting_records": list(safeguarding_selectors.vetting_records(resident=resident)),
        "vetting_form": vetting_form or VettingForm(),
        "vetting_error": vetting_error,
        "today": timezone.localdate(),
    }
    return render(request, "frontend/staff/resident.html", context, status=status)


@staff_page
@require_GET
def resident_detail(request: AuthenticatedHttpRequest, resident_id: int) -> HttpResponse:
    return _resident_page(request, resident_id)


@sensitive_post_parameters("card_id", "pin")
@staff_page
@require_POST
def card_replace(request: AuthenticatedHttpRequest, resident_id: int) -> HttpResponse:
    """Link a renewed card to the resident; the old card stops working."""
    form = CardReplaceForm(request.POST)
    if not form.is_valid():
        return _resident_page(request, resident_id, replace_form=form, status=400)
    try:
        services.card_replace(
            actor=request.user,
            resident_id=resident_id,
            new_card_id=form.cleaned_data["card_id"],
            pin=form.cleaned_data["pin"],
        )
    except Invalid as error:
        form.show_service_error(error)
        return _resident_page(
            request, resident_id, replace_form=form, replace_error=error, status=error.status
        )
    messages.success(request, _("The new card is registered. The old card does not work any more."))
    return redirect("frontend:staff-resident", resident_id=resident_id)


@staff_page
@require_POST
def resident_vetting(request: AuthenticatedHttpRequest, resident_id: int) -> HttpResponse:
    """Record that an adult was checked for working with children (a volunteer in a school's
    program, a circle organiser), valid until a day."""
    form = VettingForm(request.POST)
    if not form.is_valid():
        return _resident_page(request, resident_id, vetting_form=form, status=400)
    resident = selectors.resident_get_for_staff(actor=request.user, resident_id=resident_id)
    try:
        safeguarding_services.vetting_record_add(
            actor=request.user, resident=resident, **form.cleaned_data
        )
    except Invalid as error:
        form.show_service_error(error)
        return _resident_page(
            request, resident_id, vetting_form=form, vetting_error=error, status=error.status
        )
    messages.success(request, _("The vetting is recorded."))
    return redirect("frontend:staff-resident", resident_id=resident_id)


@staff_page
@require_POST
def resident_active(request: AuthenticatedHttpRequest, resident_id: int) -> HttpResponse:
    """Deactivate or reactivate a resident's account."""
    try:
        if request.POST.get("active") == "yes":
            services.resident_reactivate(actor=request.user, resident_id=resident_id)
            messages.success(request, _("The account is active again."))
        else:
            services.resident_deactivate(actor=request.user, resident_id=resident_id)
            messages.success(request, _("The account is deactivated and signed out everywhere."))
    except Invalid as error:
        messages.error(request, error.message)
    return redirect("frontend:staff-resident", resident_id=resident_id)


@staff_page
@require_POST
def card_unlock(request: AuthenticatedHttpRequest, card_id: int) -> HttpResponse:
    try:
        card = services.card_unlock(actor=request.user, card_id=card_id)
    except Invalid as error:
        messages.error(request, error.message)
        resident_id = request.POST.get("resident_id", "")
        if resident_id.isdigit():
            return redirect("frontend:staff-resident", resident_id=int(resident_id))
        return redirect("frontend:staff-home")
    messages.success(request, _("The card is unlocked. The resident can sign in with it again."))
    return redirect("frontend:staff-resident", resident_id=card.resident_id)


@staff_page
@require_http_methods(["GET", "POST"])
def devices(request: AuthenticatedHttpRequest) -> HttpResponse:
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = ReaderDeviceForm(request.POST)
        if form.is_valid():
            try:
                device, key = services.reader_device_register(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    organisation_slug=form.cleaned_data["organisation"],
                )
            except Invalid as refusal:
                error = refusal
                form.show_service_error(refusal)
                status = refusal.status
            else:
                # The key is in this answer only: it is not stored, and staff_page forbids caching.
                return render(
                    request, "frontend/staff/device_created.html", {"device": device, "key": key}
                )
        else:
            status = 400
    else:
        form = ReaderDeviceForm()
    context = {
        "form": form,
        "error": error,
        "devices": selectors.reader_device_list(actor=request.user),
    }
    return render(request, "frontend/staff/devices.html", context, status=status)


@staff_page
@require_POST
def device_deactivate(request: AuthenticatedHttpRequest, device_id: int) -> HttpResponse:
    device = services.reader_device_deactivate(actor=request.user, device_id=device_id)
    messages.success(
        request,
        _("The card reader “%(name)s” is turned off. Its key does not work any more.")
        % {"name": device.name},
    )
    return redirect("frontend:staff-devices")


@staff_page
@require_GET
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    page = None
    if form.is_valid():
        events = audit_selectors.audit_event_list(
            actor=request.user,
            action=form.cleaned_data["action"].strip(),
            actor_id=form.cleaned_data["actor_id"],
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
        )
        page = Paginator(events, AUDIT_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "frontend/staff/audit.html", {"form": form, "page": page})
