"""The coordinators' side of the programs pages: the dashboard of the programs I coordinate,
creating a program, the one page to run it (details, status, sessions, volunteer matches and
invitations, consents at a glance and the children taking part) and a session's page (the
roster with attendance, photos tagged with the children in them).

Each view parses its input, calls one service or selector of ``communities`` and renders.
Refusals the coordinator can act on — an unvetted senior, a child without current consent, a
photo of a child whose guardian did not allow photos — are shown on the page with the service's
message and status; a resident who may not see the program gets the 404 page, one who sees it
but does not coordinate it the 403 page (``resident_page``).  Only the program's coordinators
(and city staff) reach these pages, so children are shown here in full.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import Forbidden, NotFound, ServiceError
from campus_social.identity import selectors as identity_selectors
from campus_social.identity.selectors import grade_label
from communities import program_selectors as selectors
from communities import services
from communities.values import ProgramStatus, VolunteerStatus
from frontend.decorators import resident_page
from frontend.helpers import form_id, safe_next
from frontend.programs.coordinator_forms import (
    FIELD_NAMES,
    PhotoForm,
    ProgramCancelForm,
    ProgramForm,
    ProgramSessionForm,
)

if TYPE_CHECKING:
    from communities.models import Program, ProgramSession

TEMPLATES = "frontend/programs/manage/"


def _manage_url(program_id: int, anchor: str = "") -> str:
    url = reverse("frontend:program-manage", kwargs={"program_id": program_id})
    return f"{url}#{anchor}" if anchor else url


def _session_url(session_id: int, anchor: str = "") -> str:
    url = reverse("frontend:program-session-manage", kwargs={"session_id": session_id})
    return f"{url}#{anchor}" if anchor else url


def _raise_if_not_allowed(error: ServiceError) -> None:
    """A refusal of who the resident is (not the program's coordinator, or a program or person
    they may not know of) becomes the 403 or 404 page; any other refusal is for the page."""
    if isinstance(error, NotFound) or (
        isinstance(error, Forbidden) and error.code == "not_coordinator"
    ):
        raise error


# --- The dashboard and a new program --------------------------------------------------------------


@resident_page
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The programs I coordinate, each with its figures at a glance."""
    context = {
        "summaries": selectors.program_dashboard(actor=request.user),
        "may_start": _schools(request) != [],
    }
    return render(request, f"{TEMPLATES}dashboard.html", context)


def _schools(request: AuthenticatedHttpRequest) -> list[tuple[int, str]]:
    """The schools whose programs I may start: those I coordinate (any school, for city
    staff)."""
    schools = (
        identity_selectors.school_list()
        if identity_selectors.resident_is_city_staff(request.user)
        else identity_selectors.schools_coordinated(resident=request.user)
    )
    return [(school.pk, school.name) for school in schools]


@resident_page
@require_http_methods(["GET", "POST"])
def program_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    schools = _schools(request)
    if not schools:
        raise Forbidden(
            _("Only a school's coordinators start its programs."), code="not_coordinator"
        )
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = ProgramForm(request.POST, schools=schools)
        if form.is_valid():
            try:
                program = services.program_create(
                    actor=request.user,
                    school_id=form.cleaned_data["school"],
                    values=form.service_values(),
                )
            except ServiceError as refusal:
                _raise_if_not_allowed(refusal)
                error = refusal
                form.show_service_error(refusal, field_names=FIELD_NAMES)
                status = refusal.status
            else:
                messages.success(
                    request,
                    _("The program is saved as a draft. Add its sessions, then publish it."),
                )
                return redirect(_manage_url(program.pk))
        else:
            status = 400
    else:
        form = ProgramForm(schools=schools)
    context = {"form": form, "error": error}
    return render(request, f"{TEMPLATES}program_new.html", context, status=status)


# --- Running a program ------------------------------------------------------------------------------


def _initial(program: "Program") -> dict[str, Any]:
    return {
        "title": program.title,
        "title_kana": program.title_kana,
        "theme": program.theme,
        "description": program.description,
        "grade_min": program.grade_min,
        "grade_max": program.grade_max,
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
        "venue": program.venue,
        "district": program.district_id,
        "seniors_needed": program.seniors_needed,
        "children_needed": program.children_needed,
        "reader": program.reader_id,
    }


def _manage_page(
    request: AuthenticatedHttpRequest,
    program_id: int,
    *,
    error: ServiceError | None = None,
    error_at: str = "",
    add_form: ProgramSessionForm | None = None,
    cancel_form: ProgramCancelForm | None = None,
    refused_resident: int | None = None,
    refused_child: int | None = None,
    status: int = 200,
) -> HttpResponse:
    program = selectors.program_get_managed(program_id=program_id, actor=request.user)
    now = timezone.now()
    sessions = [
        {
            "session": session,
            "coming": session.cancelled_at is None and session.starts_at > now,
        }
        for session in selectors.program_sessions(program=program)
    ]
    volunteers = list(selectors.program_volunteers(program=program))
    glance = selectors.program_consent_glance(program=program, actor=request.user)
    context = {
        "program": program,
        "school": program.school,
        "grades": _grade_range(program),
        "sessions": sessions,
        "matches": selectors.volunteer_matches(program=program, actor=request.user)
        if program.is_open
        else [],
        "volunteers": volunteers,
        "accepted": sum(1 for v in volunteers if v.status == VolunteerStatus.ACCEPTED),
        "glance": [{"row": row, "grade": grade_label(row.grade)} for row in glance],
        "taking_part": sum(1 for row in glance if row.taking_part),
        "add_form": add_form or ProgramSessionForm(prefix="new"),
        "cancel_form": cancel_form or ProgramCancelForm(),
        "error": error,
        "error_at": error_at,
        "refused_resident": refused_resident,
        "refused_child": refused_child,
        "statuses": ProgramStatus,
    }
    return render(request, f"{TEMPLATES}program.html", context, status=status)


def _grade_range(program: "Program") -> str:
    low, high = grade_label(program.grade_min), grade_label(program.grade_max)
    return low if program.grade_min == program.grade_max else f"{low}–{high}"


@resident_page
@require_GET
def program_manage(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    return _manage_page(request, program_id)


@resident_page
@require_http_methods(["GET", "POST"])
def program_edit(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    program = selectors.program_get_managed(program_id=program_id, actor=request.user)
    readers = [
        (reader.pk, reader.name)
        for reader in identity_selectors.organisation_readers(organisation_id=program.school_id)
    ]
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = ProgramForm(request.POST, readers=readers)
        if form.is_valid():
            try:
                services.program_update(
                    actor=request.user, program_id=program.pk, values=form.service_values()
                )
            except ServiceError as refusal:
                _raise_if_not_allowed(refusal)
                error = refusal
                form.show_service_error(refusal, field_names=FIELD_NAMES)
                status = refusal.status
            else:
                messages.success(request, _("The details are saved."))
                return redirect(_manage_url(program.pk))
        else:
            status = 400
    else:
        form = ProgramForm(initial=_initial(program), readers=readers)
    context = {"program": program, "form": form, "error": error}
    return render(request, f"{TEMPLATES}program_edit.html", context, status=status)


_MOVES = {
    ProgramStatus.PUBLISHED: (
        services.program_publish,
        gettext_lazy(
            "The program is published. Guardians can consent and invited seniors can answer."
        ),
    ),
    ProgramStatus.ENDED: (
        services.program_end,
        gettext_lazy("The program has ended. Its record stays."),
    ),
    ProgramStatus.CANCELLED: (services.program_cancel, gettext_lazy("The program is cancelled.")),
}


@resident_page
@require_POST
def program_status(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Publish, end or cancel the program (cancelling needs the box ticked)."""
    to = request.POST.get("to", "")
    if to not in _MOVES:
        raise Http404
    if to == ProgramStatus.CANCELLED:
        form = ProgramCancelForm(request.POST)
        if not form.is_valid():
            return _manage_page(
                request, program_id, cancel_form=form, error_at="cancel", status=400
            )
    move, done = _MOVES[ProgramStatus(to)]
    try:
        move(actor=request.user, program_id=program_id)
    except ServiceError as error:
        _raise_if_not_allowed(error)
        return _manage_page(request, program_id, error=error, status=error.status)
    messages.success(request, str(done))
    return redirect(_manage_url(program_id))


@resident_page
@require_POST
def session_add(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    form = ProgramSessionForm(request.POST, prefix="new")
    if not form.is_valid():
        return _manage_page(request, program_id, add_form=form, error_at="add", status=400)
    try:
        services.session_add(
            actor=request.user,
            program_id=program_id,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        form.show_service_error(error)
        return _manage_page(
            request, program_id, add_form=form, error=error, error_at="add", status=error.status
        )
    messages.success(request, _("The session is added."))
    return redirect(_manage_url(program_id, "sessions-heading"))


@resident_page
@require_POST
def volunteer_invite(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    resident_id = form_id(request.POST.get("resident"))
    if resident_id is None:
        raise Http404
    try:
        volunteer = services.volunteer_invite(
            actor=request.user, program_id=program_id, resident_id=resident_id
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        return _manage_page(
            request,
            program_id,
            error=error,
            refused_resident=resident_id,
            status=error.status,
        )
    messages.success(
        request,
        _("%(name)s is invited and told. They answer on their page.")
        % {"name": volunteer.resident.display_name},
    )
    return redirect(_manage_url(program_id, "volunteers-heading"))


@resident_page
@require_POST
def volunteer_remove(
    request: AuthenticatedHttpRequest, program_id: int, resident_id: int
) -> HttpResponse:
    volunteer = services.volunteer_remove(
        actor=request.user, program_id=program_id, resident_id=resident_id
    )
    messages.success(
        request,
        _("%(name)s no longer volunteers in this program and is told.")
        % {"name": volunteer.resident.display_name},
    )
    return redirect(_manage_url(program_id, "volunteers-heading"))


@resident_page
@require_POST
def child_add(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    child_id = form_id(request.POST.get("child"))
    if child_id is None:
        raise Http404
    try:
        place = services.program_child_add(
            actor=request.user, program_id=program_id, child_id=child_id
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        return _manage_page(
            request,
            program_id,
            error=error,
            refused_child=child_id,
            status=error.status,
        )
    messages.success(request, _("%(name)s takes part now.") % {"name": place.child.name})
    return redirect(_manage_url(program_id, "children-heading"))


@resident_page
@require_POST
def child_remove(request: AuthenticatedHttpRequest, program_id: int, child_id: int) -> HttpResponse:
    services.program_child_remove(actor=request.user, program_id=program_id, child_id=child_id)
    messages.success(
        request,
        _("The child no longer takes part. Their guardian's consent stays as it was given."),
    )
    return redirect(_manage_url(program_id, "children-heading"))


# --- A session: the roster, attendance and photos ----------------------------------------------------


def _session_page(
    request: AuthenticatedHttpRequest,
    session_id: int,
    *,
    photo_form: PhotoForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    session = selectors.session_get_managed(session_id=session_id, actor=request.user)
    program = session.program
    glance = selectors.program_consent_glance(program=program, actor=request.user)
    taking_part = [row for row in glance if row.taking_part]
    present = {
        attendance.resident_id: attendance.present
        for attendance in selectors.session_attendance(session_id=session.pk, actor=request.user)
    }
    children = [
        {
            "resident": row.child,
            "grade": grade_label(row.grade),
            "present": present.get(row.child.pk),
        }
        for row in taking_part
    ]
    volunteers = [
        {"resident": resident, "present": present.get(resident.pk)}
        for resident in selectors.session_volunteers_vetted(session=session)
    ]
    photo_children = [(row.child.pk, row.child.name) for row in taking_part if row.photos_allowed]
    context = {
        "session": session,
        "program": program,
        "children": children,
        "volunteers": volunteers,
        "photos": list(selectors.session_photos_managed(session=session)),
        "photo_form": photo_form.offer(photo_children)
        if photo_form is not None
        else PhotoForm(children=photo_children),
        "error": error,
    }
    return render(request, f"{TEMPLATES}session.html", context, status=status)


@resident_page
@require_GET
def session_manage(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    return _session_page(request, session_id)


@resident_page
@require_POST
def session_cancel(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session: ProgramSession = selectors.session_get_managed(
        session_id=session_id, actor=request.user
    )
    try:
        services.session_cancel(actor=request.user, session_id=session.pk)
    except ServiceError as error:
        _raise_if_not_allowed(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("The session is cancelled."))
    return redirect(_manage_url(session.program_id, "sessions-heading"))


def _ids(values: list[str]) -> set[int]:
    return {number for number in (form_id(value) for value in values) if number is not None}


@resident_page
@require_POST
def attendance_save(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """Save the roster's boxes.  Only those changed since the page was shown are written
    (``shown`` holds who was ticked then), so that card taps meanwhile are kept."""
    checked = _ids(request.POST.getlist("present"))
    shown = _ids(request.POST.getlist("shown"))
    changes = [(resident_id, True) for resident_id in sorted(checked - shown)] + [
        (resident_id, False) for resident_id in sorted(shown - checked)
    ]
    try:
        for resident_id, present in changes:
            services.attendance_record(
                actor=request.user, session_id=session_id, resident_id=resident_id, present=present
            )
    except ServiceError as error:
        if isinstance(error, NotFound):
            # Not on the roster — unless the session is not theirs to see at all: then 404.
            selectors.session_get_managed(session_id=session_id, actor=request.user)
        else:
            _raise_if_not_allowed(error)
        messages.error(request, error.message)
    else:
        if not changes:
            selectors.session_get_managed(session_id=session_id, actor=request.user)
        messages.success(request, _("The attendance is saved."))
    return redirect(_session_url(session_id, "roster-heading"))


@resident_page
@require_POST
def photo_add(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _session_page(request, session_id, photo_form=form, status=400)
    try:
        services.photo_add(
            actor=request.user,
            session_id=session_id,
            upload=form.cleaned_data["file"],
            child_ids=sorted(form.cleaned_data["child_ids"]),
        )
    except ServiceError as error:
        _raise_if_not_allowed(error)
        form.show_service_error(error)
        return _session_page(request, session_id, photo_form=form, error=error, status=error.status)
    messages.success(request, _("The photo is added."))
    return redirect(_session_url(session_id, "photos-heading"))


@resident_page
@require_POST
def photo_remove(request: AuthenticatedHttpRequest, photo_id: int) -> HttpResponse:
    services.photo_remove(actor=request.user, photo_id=photo_id)
    messages.success(request, _("The photo is removed."))
    return redirect(
        safe_next(request, request.POST.get("next")) or reverse("frontend:program-dashboard")
    )
