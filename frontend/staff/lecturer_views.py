"""The city staff's review of lecturer applications and their vetting.  Every view is behind
``staff_page``; each calls one service or selector of ``courses``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import NotFound, ServiceError
from courses import selectors, services
from frontend.decorators import staff_page
from frontend.staff.forms import LecturerDeclineForm, VettingForm

if TYPE_CHECKING:
    from courses.models import Lecturer


def _lecturer_queue_page(
    request: AuthenticatedHttpRequest,
    *,
    lecturer_id: int | None = None,
    decline_form: LecturerDeclineForm | None = None,
    vetting_form: VettingForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    def forms_for(lecturer: Lecturer) -> dict[str, Any]:
        mine = lecturer.pk == lecturer_id
        return {
            "lecturer": lecturer,
            "decline_form": decline_form
            if mine and decline_form is not None
            else LecturerDeclineForm(prefix=f"decline-{lecturer.pk}"),
            "vetting_form": vetting_form
            if mine and vetting_form is not None
            else VettingForm(prefix=f"vetting-{lecturer.pk}"),
            "decline_error": error if mine and decline_form is not None else None,
            "vetting_error": error if mine and vetting_form is not None else None,
            "today": timezone.localdate(),
        }

    context = {
        "applications": [
            forms_for(lecturer)
            for lecturer in selectors.lecturer_review_queue(actor=request.user).prefetch_related(
                "resident__vettings"
            )
        ],
        "teaching_children": [
            forms_for(lecturer)
            for lecturer in selectors.lecturers_teaching_children(actor=request.user)
        ],
    }
    return render(request, "frontend/staff/lecturers.html", context, status=status)


@staff_page
@require_GET
def lecturer_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _lecturer_queue_page(request)


@staff_page
@require_POST
def lecturer_decide(request: AuthenticatedHttpRequest, lecturer_id: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    form = LecturerDeclineForm(request.POST, prefix=f"decline-{lecturer_id}")
    form.is_valid()  # the reason is free text; the service decides whether it is needed
    try:
        lecturer = services.lecturer_decide(
            actor=request.user,
            lecturer_id=lecturer_id,
            approve=approve,
            reason=form.cleaned_data.get("reason", ""),
        )
    except NotFound:
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _lecturer_queue_page(
            request, lecturer_id=lecturer_id, decline_form=form, error=error, status=error.status
        )
    messages.success(
        request,
        (
            _("%(name)s is approved as a lecturer and is told.")
            if approve
            else _("The application of %(name)s is declined, and the reason is sent.")
        )
        % {"name": lecturer.display_name},
    )
    return redirect("frontend:staff-lecturers")


@staff_page
@require_POST
def lecturer_vetting(request: AuthenticatedHttpRequest, lecturer_id: int) -> HttpResponse:
    form = VettingForm(request.POST, prefix=f"vetting-{lecturer_id}")
    if not form.is_valid():
        return _lecturer_queue_page(request, lecturer_id=lecturer_id, vetting_form=form, status=400)
    try:
        services.vetting_record_add(
            actor=request.user,
            lecturer_id=lecturer_id,
            checked_on=form.cleaned_data["checked_on"],
            expires_on=form.cleaned_data["expires_on"],
            note=form.cleaned_data["note"],
        )
    except NotFound:
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _lecturer_queue_page(
            request, lecturer_id=lecturer_id, vetting_form=form, error=error, status=error.status
        )
    messages.success(request, _("The vetting is recorded."))
    return redirect("frontend:staff-lecturers")
