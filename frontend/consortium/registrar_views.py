"""A university's registrars' pages: the universities I am registrar of, the queue of credit
applications with the evidence each resident shared, the agreements and the policy, and the
credit records with their corrections.

Each view parses its input, calls one service or selector of ``consortium`` and renders.
Refusals a registrar can act on — over the cap, a grade the agreement does not know, an
application withdrawn meanwhile, the 45-hour check, a correction that needs a second
registrar — are shown on the page with the service's message and status, beside the field or
on the card they concern.  A resident who is no registrar gets the 403 page, a registrar of
another university the 404 page (``resident_page``).  A form posted to an object's address
names the university whose page it came from (``university``), so that a refusal is shown on
that page; the services check the object against the registrar first.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import Forbidden, NotFound, ServiceError
from consortium import selectors, services
from consortium.decisions_import import MAX_BYTES, decisions_import
from consortium.values import PASS_GRADE, Grading, RecordKind, RecordStatus
from courses import selectors as courses
from frontend.consortium.registrar_forms import (
    APPROVE,
    FIELD_NAMES,
    AgreementEndForm,
    AgreementForm,
    CorrectionDecideForm,
    CorrectionForm,
    DecideForm,
    PolicyForm,
)
from frontend.decorators import resident_page
from frontend.forms import Choices
from frontend.helpers import form_id

TEMPLATES = "frontend/consortium/registrar/"


def _url(name: str, university_id: int, anchor: str = "") -> str:
    url = reverse(f"frontend:{name}", kwargs={"university_id": university_id})
    return f"{url}#{anchor}" if anchor else url


def _raise_if_not_allowed(error: ServiceError) -> None:
    """A refusal of who the registrar is (no registrar, another university's object) becomes
    the 403 or 404 page; any other refusal is for the page."""
    if isinstance(error, NotFound) or (
        isinstance(error, Forbidden) and error.code == "not_registrar"
    ):
        raise error


def _posted_university(request: HttpRequest) -> int:
    university_id = form_id(request.POST.get("university"))
    if university_id is None:
        raise Http404
    return university_id


def _number(value: Decimal) -> str:
    """A number of credits as typed: 60, 1.5."""
    return format(value.normalize(), "f")


def _grades(agreement: Any) -> list[str]:
    return [PASS_GRADE] if agreement.grading == Grading.PASS_FAIL else list(agreement.grades)


def _grade_choices(agreement: Any) -> list[tuple[str, str]]:
    if agreement.grading == Grading.PASS_FAIL:
        return [(PASS_GRADE, pgettext("registrar", "Pass"))]
    return [(grade, grade) for grade in agreement.grades]


# --- The universities I am registrar of -------------------------------------------------------


@resident_page
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    universities = list(selectors.registrar_universities(resident=request.user))
    if not universities:
        raise Forbidden(_("Only a university's registrars may do this."), code="not_registrar")
    if len(universities) == 1:
        return redirect(_url("registrar-queue", universities[0].pk))
    return render(request, f"{TEMPLATES}home.html", {"universities": universities})


# --- The queue -----------------------------------------------------------------------------------


def _queue_page(
    request: AuthenticatedHttpRequest,
    university_id: int,
    *,
    error: ServiceError | None = None,
    refused: int | None = None,
    refused_form: DecideForm | None = None,
    file_error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    applications = list(selectors.registrar_queue(actor=request.user, university_id=university_id))
    university = applications[0].university if applications else None
    if university is None:
        university = selectors.registrar_university_get(
            actor=request.user, university_id=university_id
        )
    policy = selectors.policy_of(university_id=university.pk)
    held = selectors.credits_in_force_of(
        resident_ids=[application.resident_id for application in applications],
        university_id=university.pk,
    )
    cards = []
    for application in applications:
        in_force = held[application.resident_id]
        mine = refused == application.pk
        cards.append(
            {
                "application": application,
                "record": application.shared_record,
                "grades": _grade_choices(application.agreement),
                "in_force": in_force,
                "left": max(policy.cap_credits - in_force, Decimal(0)),
                "over": in_force + application.agreement.credits > policy.cap_credits,
                "error": error if mine else None,
                "form": refused_form if mine and refused_form is not None else None,
            }
        )
    context = {
        "university": university,
        "policy": policy,
        "cards": cards,
        # A refusal of an application no longer waiting (withdrawn meanwhile) goes on top.
        "error": error if refused not in {card["application"].pk for card in cards} else None,
        "file_error": file_error,
        "section": "queue",
    }
    return render(request, f"{TEMPLATES}queue.html", context, status=status)


@resident_page
@require_GET
def queue(request: AuthenticatedHttpRequest, university_id: int) -> HttpResponse:
    return _queue_page(request, university_id)


@resident_page
@require_POST
def decisions_upload(request: AuthenticatedHttpRequest, university_id: int) -> HttpResponse:
    """Decide many applications from the registrar's CSV file, all or none
    (``consortium.decisions_import``); a file with mistakes lists them on the queue page."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return redirect(_url("registrar-queue", university_id, "decisions-file"))
    try:
        decided = decisions_import(
            actor=request.user, university_id=university_id, data=upload.read(MAX_BYTES + 1)
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        return _queue_page(request, university_id, file_error=error, status=error.status)
    messages.success(
        request,
        ngettext(
            "%(count)d application is decided; each learner has been told.",
            "%(count)d applications are decided; each learner has been told.",
            len(decided),
        )
        % {"count": len(decided)},
    )
    return redirect(_url("registrar-queue", university_id))


@resident_page
@require_POST
def decide(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    university_id = _posted_university(request)
    form = DecideForm(request.POST, grades=request.POST.getlist("grade"))
    if not form.is_valid():
        raise Http404
    approve = form.cleaned_data["decision"] == APPROVE
    try:
        application = services.credit_decide(
            actor=request.user,
            application_id=application_id,
            approve=approve,
            grade=form.cleaned_data["grade"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        form.show_service_error(error)
        return _queue_page(
            request,
            university_id,
            error=error,
            refused=application_id,
            refused_form=form,
            status=error.status,
        )
    name = application.shared_record.get("name", "")
    if approve:
        messages.success(
            request,
            _("Approved: %(name)s's credit for %(subject)s is recorded, and they are told.")
            % {"name": name, "subject": application.agreement.subject_name},
        )
    else:
        messages.success(
            request,
            _("Rejected: %(name)s is told, with your reason.") % {"name": name},
        )
    return redirect(_url("registrar-queue", application.university_id))


# --- Agreements and the policy ------------------------------------------------------------------


def _course_choices() -> Choices:
    return [
        (
            str(course.pk),
            _("%(title)s (%(hours)d hours)")
            % {"title": course.title, "hours": course.class_hours + course.self_study_hours},
        )
        for course in courses.course_list()
    ]


def _agreements_page(
    request: AuthenticatedHttpRequest,
    university_id: int,
    *,
    error: ServiceError | None = None,
    error_at: str = "",
    create_form: AgreementForm | None = None,
    end_form: AgreementEndForm | None = None,
    refused: int | None = None,
    policy_form: PolicyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    agreements = list(selectors.agreements_of(actor=request.user, university_id=university_id))
    university = selectors.registrar_university_get(actor=request.user, university_id=university_id)
    titles = courses.credit_courses(course_ids=sorted({a.course_id for a in agreements}))
    today = timezone.localdate()
    rows = [
        {
            "agreement": agreement,
            "course": titles.get(agreement.course_id),
            "grades": _grades(agreement),
            "in_force": agreement.valid_until is None or agreement.valid_until >= today,
            "end_form": end_form if refused == agreement.pk and end_form is not None else None,
            "error": error if refused == agreement.pk else None,
        }
        for agreement in agreements
    ]
    policy = selectors.policy_of(university_id=university.pk)
    context = {
        "university": university,
        "policy": policy,
        "in_force": [row for row in rows if row["in_force"]],
        "ended": [row for row in rows if not row["in_force"]],
        "form": create_form or AgreementForm(courses=_course_choices(), prefix="new"),
        "policy_form": policy_form
        or PolicyForm(
            initial={
                "cap_credits": _number(policy.cap_credits),
                "rounding": policy.rounding,
                "rounding_step": policy.rounding_step,
            },
            prefix="policy",
        ),
        "error": error if refused is None else None,
        "error_at": error_at,
        "section": "agreements",
        "today": today,
    }
    return render(request, f"{TEMPLATES}agreements.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def agreements(request: AuthenticatedHttpRequest, university_id: int) -> HttpResponse:
    """The agreements; a POST creates one."""
    if request.method != "POST":
        return _agreements_page(request, university_id)
    form = AgreementForm(request.POST, courses=_course_choices(), prefix="new")
    if not form.is_valid():
        selectors.registrar_university_get(actor=request.user, university_id=university_id)
        return _agreements_page(
            request, university_id, create_form=form, error_at="create", status=400
        )
    values = form.cleaned_data
    try:
        agreement = services.agreement_create(
            actor=request.user,
            university_id=university_id,
            course_id=values["course"],
            subject_code=values["subject_code"],
            subject_name=values["subject_name"],
            credits=values["credits"],
            grading=values["grading"],
            grades=form.grade_list(),
            valid_from=values["valid_from"],
            valid_until=values["valid_until"],
            mismatch_reason=values["mismatch_reason"],
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        form.show_service_error(error, field_names=FIELD_NAMES)
        return _agreements_page(
            request,
            university_id,
            error=error,
            error_at="create",
            create_form=form,
            status=error.status,
        )
    messages.success(
        request,
        _("The agreement for %(subject)s is saved. Residents who completed the course can apply.")
        % {"subject": agreement.subject_name},
    )
    return redirect(_url("registrar-agreements", university_id, "in-force-heading"))


@resident_page
@require_POST
def agreement_end(request: AuthenticatedHttpRequest, agreement_id: int) -> HttpResponse:
    university_id = _posted_university(request)
    form = AgreementEndForm(request.POST, prefix=f"end-{agreement_id}")
    if not form.is_valid():
        return _agreements_page(
            request, university_id, end_form=form, refused=agreement_id, status=400
        )
    try:
        agreement = services.agreement_end(
            actor=request.user,
            agreement_id=agreement_id,
            valid_until=form.cleaned_data["valid_until"],
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        form.show_service_error(error)
        return _agreements_page(
            request,
            university_id,
            error=error,
            end_form=form,
            refused=agreement_id,
            status=error.status,
        )
    messages.success(
        request,
        _("The agreement for %(subject)s ends on %(day)s.")
        % {"subject": agreement.subject_name, "day": _day(agreement.valid_until)},
    )
    return redirect(_url("registrar-agreements", agreement.university_id))


def _day(day: date | None) -> str:
    return date_format(day, "DATE_FORMAT") if day else ""


@resident_page
@require_POST
def policy(request: AuthenticatedHttpRequest, university_id: int) -> HttpResponse:
    form = PolicyForm(request.POST, prefix="policy")
    if not form.is_valid():
        selectors.registrar_university_get(actor=request.user, university_id=university_id)
        return _agreements_page(
            request, university_id, policy_form=form, error_at="policy", status=400
        )
    try:
        services.policy_set(
            actor=request.user,
            university_id=university_id,
            cap_credits=form.cleaned_data["cap_credits"],
            rounding=form.cleaned_data["rounding"],
            rounding_step=form.cleaned_data["rounding_step"],
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        form.show_service_error(error)
        return _agreements_page(
            request,
            university_id,
            error=error,
            error_at="policy",
            policy_form=form,
            status=error.status,
        )
    messages.success(request, _("The policy is saved."))
    return redirect(_url("registrar-agreements", university_id, "policy-heading"))


# --- Records and corrections ----------------------------------------------------------------------


@dataclass
class _RecordRow:
    record: Any
    name: str
    proposal: Any = None
    form: CorrectionForm | None = None
    error: ServiceError | None = None


def _records_page(
    request: AuthenticatedHttpRequest,
    university_id: int,
    *,
    error: ServiceError | None = None,
    refused: int | None = None,
    correction_form: CorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    records = list(selectors.university_records(actor=request.user, university_id=university_id))
    university = selectors.registrar_university_get(actor=request.user, university_id=university_id)
    replaced = {
        r.corrects_id
        for r in records
        if r.kind == RecordKind.CORRECTION and r.status == RecordStatus.EFFECTIVE
    }
    settled = {r.settles_id for r in records if r.settles_id is not None}
    waiting = {
        r.corrects_id: r
        for r in records
        if r.status == RecordStatus.AWAITING_SECOND_APPROVAL and r.pk not in settled
    }
    rows = []
    shown_on_card = False
    for record in records:
        if record.status != RecordStatus.EFFECTIVE or record.pk in replaced:
            continue
        proposal = waiting.get(record.pk)
        mine = refused in (record.pk, proposal.pk if proposal else None)
        shown_on_card = shown_on_card or mine
        if mine and correction_form is not None:
            correction_form.offer_grades(_grades(record.agreement))
        rows.append(
            _RecordRow(
                record=record,
                name=record.application.shared_record.get("name", ""),
                proposal=proposal,
                form=(
                    correction_form
                    if mine and correction_form is not None
                    else CorrectionForm(
                        prefix=f"correct-{record.pk}",
                        grades=_grades(record.agreement),
                        initial={"credits": _number(record.credits), "grade": record.grade},
                    )
                ),
                error=error if mine else None,
            )
        )
    for row in rows:
        if row.proposal is not None:
            row.form = None
    context = {
        "university": university,
        "rows": rows,
        "awaiting": [row for row in rows if row.proposal is not None],
        "settled": [r for r in records if r.settles_id is not None],
        "error": error if not shown_on_card else None,
        "section": "records",
    }
    return render(request, f"{TEMPLATES}records.html", context, status=status)


@resident_page
@require_GET
def records(request: AuthenticatedHttpRequest, university_id: int) -> HttpResponse:
    return _records_page(request, university_id)


@resident_page
@require_POST
def correct(request: AuthenticatedHttpRequest, record_id: int) -> HttpResponse:
    university_id = _posted_university(request)
    form = CorrectionForm(
        request.POST,
        prefix=f"correct-{record_id}",
        grades=request.POST.getlist(f"correct-{record_id}-grade"),
    )
    if not form.is_valid():
        raise Http404
    try:
        proposal = services.correction_propose(
            actor=request.user,
            record_id=record_id,
            credits=form.cleaned_data["credits"],
            grade=form.cleaned_data["grade"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        form.show_service_error(error)
        return _records_page(
            request,
            university_id,
            error=error,
            refused=record_id,
            correction_form=form,
            status=error.status,
        )
    messages.success(
        request,
        _("The correction is proposed. Another registrar of your university must approve it."),
    )
    return redirect(_url("registrar-records", proposal.university_id, "awaiting-heading"))


@resident_page
@require_POST
def correction_decide(request: AuthenticatedHttpRequest, record_id: int) -> HttpResponse:
    university_id = _posted_university(request)
    form = CorrectionDecideForm(request.POST)
    if not form.is_valid():
        raise Http404
    approve = form.cleaned_data["decision"] == APPROVE
    try:
        settled = services.correction_decide(
            actor=request.user,
            record_id=record_id,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        return _records_page(
            request, university_id, error=error, refused=record_id, status=error.status
        )
    messages.success(
        request,
        _("The correction is approved: the corrected entry is in force, and the learner is told.")
        if approve
        else _("The correction is refused. The entry stays as it was."),
    )
    return redirect(_url("registrar-records", settled.university_id))
