"""The schools pages.  A coordinator's pupils page records each pupil's school year and class,
links guardians and answers guardians' requests; a guardian asks to be linked to their child on
"Link my child".  Each view calls one service or selector of ``campus_social.identity``; the
rules (who may, and what is refused) are the services'."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import Conflict, ServiceError
from campus_social.identity import selectors, services
from frontend.decorators import resident_page
from frontend.forms import PageForm
from frontend.schools.forms import (
    GuardianLinkForm,
    LinkMyChildForm,
    PupilAddForm,
    PupilUpdateForm,
)


@resident_page
@require_GET
def school_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The schools a resident coordinates, and the way to link one's child."""
    schools = list(selectors.schools_coordinated(resident=request.user))
    if len(schools) == 1:
        return redirect("frontend:school-pupils", school_id=schools[0].pk)
    return render(request, "frontend/schools/home.html", {"schools": schools})


def _pupils_page(
    request: AuthenticatedHttpRequest, school_id: int, add_form: PupilAddForm, status: int = 200
) -> HttpResponse:
    pupils = list(selectors.school_pupils(actor=request.user, school_id=school_id))
    requests = list(selectors.school_guardian_requests(actor=request.user, school_id=school_id))
    school = (
        pupils[0].school
        if pupils
        else selectors.school_get_for_coordinator(actor=request.user, school_id=school_id)
    )
    rows = [
        (
            placement,
            PupilUpdateForm(
                initial={
                    "school_year": placement.school_year,
                    "class_name": placement.class_name,
                },
                prefix=f"pupil-{placement.child_id}",
            ),
            GuardianLinkForm(prefix=f"guardian-{placement.child_id}"),
        )
        for placement in pupils
    ]
    context = {"school": school, "rows": rows, "requests": requests, "add_form": add_form}
    return render(request, "frontend/schools/pupils.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def pupils(request: AuthenticatedHttpRequest, school_id: int) -> HttpResponse:
    """The pupils of a school for its coordinators; POST adds one."""
    if request.method != "POST":
        return _pupils_page(request, school_id, PupilAddForm())
    form = PupilAddForm(request.POST)
    if form.is_valid():
        try:
            services.school_pupil_add(
                actor=request.user,
                school_id=school_id,
                child_id=form.cleaned_data["child"],
                birth_date=form.cleaned_data["birth_date"],
                school_year=form.cleaned_data["school_year"],
                class_name=form.cleaned_data["class_name"],
            )
        except ServiceError as error:
            if error.status == 403:
                raise
            _show(form, error)
        else:
            messages.success(request, _("The pupil is recorded."))
            return redirect("frontend:school-pupils", school_id=school_id)
    return _pupils_page(request, school_id, form, status=400)


def _show(form: PageForm, error: ServiceError) -> None:
    """The service's message beside the fields it concerns, or above the form."""
    if error.fields:
        form.show_service_error(error)
    else:
        form.add_error(None, error.message)


def _refused(request: AuthenticatedHttpRequest, error: ServiceError) -> None:
    messages.error(request, error.message)


@resident_page
@require_POST
def pupil_update(request: AuthenticatedHttpRequest, school_id: int, child_id: int) -> HttpResponse:
    form = PupilUpdateForm(request.POST, prefix=f"pupil-{child_id}")
    if not form.is_valid():
        messages.error(request, _("Please choose a school year."))
    else:
        try:
            services.school_pupil_update(
                actor=request.user, school_id=school_id, child_id=child_id, **form.cleaned_data
            )
        except ServiceError as error:
            if error.status == 403:
                raise
            _refused(request, error)
        else:
            messages.success(request, _("The school year and class are saved."))
    return redirect("frontend:school-pupils", school_id=school_id)


@resident_page
@require_POST
def pupil_guardian_link(
    request: AuthenticatedHttpRequest, school_id: int, child_id: int
) -> HttpResponse:
    form = GuardianLinkForm(request.POST, prefix=f"guardian-{child_id}")
    if not form.is_valid():
        messages.error(request, _("Please type the guardian's resident number."))
    else:
        try:
            services.school_guardian_link(
                actor=request.user,
                school_id=school_id,
                child_id=child_id,
                guardian_id=form.cleaned_data["guardian"],
            )
        except ServiceError as error:
            if error.status == 403:
                raise
            _refused(request, error)
        else:
            messages.success(request, _("The guardian is linked and has been told."))
    return redirect("frontend:school-pupils", school_id=school_id)


def _decide(request: AuthenticatedHttpRequest, request_id: int, *, confirm: bool) -> HttpResponse:
    try:
        link_request = services.guardian_link_request_decide(
            actor=request.user, request_id=request_id, confirm=confirm
        )
    except Conflict as error:
        # Answered already (by another coordinator, or a second click), or the child has left
        # the school: say so on the pupils page.
        _refused(request, error)
        return redirect("frontend:schools")
    messages.success(
        request,
        _("The guardian is linked and has been told.")
        if confirm
        else _("The request is declined and the guardian has been told."),
    )
    return redirect("frontend:school-pupils", school_id=link_request.school_id)


@resident_page
@require_POST
def guardian_request_confirm(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, confirm=True)


@resident_page
@require_POST
def guardian_request_decline(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, confirm=False)


@resident_page
@require_http_methods(["GET", "POST"])
def link_my_child(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A guardian asks a school to link them to their child; their requests and answers."""
    schools = [(school.pk, school.name) for school in selectors.school_list()]
    status = 200
    if request.method == "POST":
        form = LinkMyChildForm(request.POST, schools=schools)
        if form.is_valid():
            try:
                services.guardian_link_request(
                    actor=request.user,
                    school_id=form.cleaned_data["school"],
                    child_number=form.cleaned_data["child_number"],
                    birth_date=form.cleaned_data["birth_date"],
                )
            except ServiceError as error:
                _show(form, error)
                status = error.status
            else:
                messages.success(request, _("Your request is sent. The school will confirm it."))
                return redirect("frontend:link-my-child")
        else:
            status = 400
    else:
        form = LinkMyChildForm(schools=schools)
    context = {"form": form, "requests": selectors.my_guardian_requests(resident=request.user)}
    return render(request, "frontend/schools/link_child.html", context, status=status)
