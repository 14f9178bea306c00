"""The consortium's pages for residents: the public catalogue (which courses count towards which
university, for how much), my credit (what each university recognises against its cap, my
applications, the credentials to download, the offerings I may apply for), the application with
the exact record shared and the consent to share it, and the withdrawal.

Each view parses its input, calls ``consortium``'s selectors or one service and renders; the
rules and their messages are the services'.  A refusal is shown on the page with the status the
API would answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.audit.services import audit_permission_denied
from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import Forbidden, NotFound, ServiceError
from consortium import selectors, services
from consortium.values import ApplicationStatus
from courses import selectors as courses
from frontend.consortium.forms import ApplicationTargetForm, ApplyForm
from frontend.decorators import resident_page

if TYPE_CHECKING:
    from campus_social.identity.models import Organisation
    from consortium.models import CreditRecord

# The order the shared record is shown in, with each line's label.
RECORD_LINES = (
    "name",
    "course",
    "term",
    "starts_on",
    "ends_on",
    "class_hours",
    "self_study_hours",
    "completed_on",
    "sessions_attended",
    "sessions_held",
    "lecturer_grade",
    "university",
    "subject_code",
    "subject_name",
    "credits",
)


def _record_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "course": _("Course"),
        "term": _("Term"),
        "starts_on": _("The offering's first day"),
        "ends_on": _("The offering's last day"),
        "class_hours": _("Class hours"),
        "self_study_hours": _("Self-study hours"),
        "completed_on": _("Completed on"),
        "sessions_attended": _("Sessions attended"),
        "sessions_held": _("Sessions held"),
        "lecturer_grade": _("The lecturer's grade"),
        "university": _("University"),
        "subject_code": _("Subject code"),
        "subject_name": _("Subject name"),
        "credits": _("Credits"),
    }


def _shown(request: HttpRequest, error: ServiceError) -> ServiceError:
    """A refusal the page shows itself; a permission refusal is audited as the 403 page
    would have been."""
    if isinstance(error, Forbidden):
        audit_permission_denied(request=request)
    return error


# --- The catalogue (public) -----------------------------------------------------------------------


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every agreement in force, grouped by university, with its course's title and hours, and
    each university's cap (``selectors.catalogue``, ``universities_with_policies``)."""
    agreements = list(selectors.catalogue())
    titles = courses.credit_courses(course_ids=sorted({a.course_id for a in agreements}))
    groups: list[dict[str, Any]] = []
    for university in selectors.universities_with_policies():
        rows = [
            {"agreement": agreement, "course": titles.get(agreement.course_id)}
            for agreement in agreements
            if agreement.university_id == university.pk
        ]
        groups.append({"university": university, "rows": rows})
    return render(request, "frontend/consortium/catalogue.html", {"groups": groups})


# --- My credit ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditTotal:
    university: Organisation
    credits: Decimal
    cap: Decimal


def _totals(records: list[CreditRecord]) -> list[CreditTotal]:
    caps = {university.pk: university for university in selectors.universities_with_policies()}
    totals: dict[int, Decimal] = {}
    for record in records:
        totals[record.university_id] = totals.get(record.university_id, Decimal(0)) + record.credits
    return [
        CreditTotal(
            university=caps[university_id],
            credits=credits,
            cap=caps[university_id].cap_credits,  # type: ignore[attr-defined]
        )
        for university_id, credits in totals.items()
        if university_id in caps
    ]


@resident_page
@require_GET
def my_credit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My credit in force (``selectors.my_credit``) with each university's total against its
    cap, my applications (``my_applications``), and what I may still apply for."""
    records = list(selectors.my_credit(resident=request.user))
    applications = list(selectors.my_applications(resident=request.user))
    open_keys = {
        (application.offering_id, application.university_id)
        for application in applications
        if application.status in (ApplicationStatus.PENDING, ApplicationStatus.APPROVED)
    }
    context = {
        "records": records,
        "totals": _totals(records),
        "applications": applications,
        "apply_entries": []
        if request.user.is_child
        else selectors.apply_candidates(resident=request.user, exclude=open_keys),
        "is_child": request.user.is_child,
    }
    return render(request, "frontend/consortium/my_credit.html", context)


# --- Applying -------------------------------------------------------------------------------------


def _apply_page(
    request: AuthenticatedHttpRequest,
    target: ApplicationTargetForm,
    *,
    form: ApplyForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    """The record applying would share (``services.application_preview``), and the consent."""
    offering_id = target.cleaned_data["offering"]
    university_id = target.cleaned_data["university"]
    context: dict[str, Any] = {"error": error, "record": None, "form": form}
    try:
        agreement, record = services.application_preview(
            actor=request.user, offering_id=offering_id, university_id=university_id
        )
    except NotFound:
        raise
    except ServiceError as refusal:
        context["error"] = _shown(request, refusal)
        return render(request, "frontend/consortium/apply.html", context, status=refusal.status)
    labels = _record_labels()
    lines = [
        {"label": labels[key], "value": record[key]}
        for key in RECORD_LINES
        if key in record and record[key] not in (None, "")
    ]
    if form is None:
        form = ApplyForm(
            initial={
                "offering": offering_id,
                "university": university_id,
                "digest": services.record_digest(record),
            },
            university_name=agreement.university.name,
        )
    context.update({"record": record, "lines": lines, "agreement": agreement, "form": form})
    return render(request, "frontend/consortium/apply.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def credit_apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the exact record that would be shared and the consent box; POST:
    ``services.credit_apply`` with the digest of the record shown."""
    data = request.POST if request.method == "POST" else request.GET
    target = ApplicationTargetForm(data)
    if not target.is_valid():
        raise NotFound(_("No such offering or university."))
    if request.method != "POST":
        return _apply_page(request, target)
    university = selectors.university_list().filter(pk=target.cleaned_data["university"]).first()
    form = ApplyForm(request.POST, university_name=university.name if university else "")
    if not form.is_valid():
        return _apply_page(request, target, form=form, status=400)
    try:
        application = services.credit_apply(
            actor=request.user,
            offering_id=form.cleaned_data["offering"],
            university_id=form.cleaned_data["university"],
            consent=form.cleaned_data["consent"],
            digest=form.cleaned_data["digest"],
        )
    except NotFound:
        raise
    except ServiceError as refusal:
        form.show_service_error(refusal)
        if refusal.code == "record_changed":
            # Show the record as it is now, with its new digest, and the reason.
            return _apply_page(request, target, error=refusal, status=refusal.status)
        return _apply_page(
            request, target, form=form, error=_shown(request, refusal), status=refusal.status
        )
    messages.success(
        request,
        _("Your application is sent to %(university)s. You will be told of its decision.")
        % {"university": application.university.name},
    )
    return redirect("frontend:my-credit")


@resident_page
@require_POST
def credit_withdraw(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    """Withdraw my consent while the registrar has not decided (``services.credit_withdraw``)."""
    selectors.my_application_get(actor=request.user, application_id=application_id)
    try:
        services.credit_withdraw(actor=request.user, application_id=application_id)
    except NotFound:
        raise
    except ServiceError as refusal:
        messages.error(request, _shown(request, refusal).message)
    else:
        messages.success(
            request, _("Your application is withdrawn: the university no longer sees it.")
        )
    return redirect("frontend:my-credit")
