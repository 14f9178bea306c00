"""The course pages: the catalogue and an offering's page (public), the resident's courses and
private calendar, and teaching (applying, the lecturer's dashboard, courses, offerings, sessions,
the roster, completions and feedback).  The city staff's review of lecturer applications is in
``frontend.staff``.

Each view parses its input, calls one service or selector of ``courses`` and renders.  The rules
and their messages live in the services: a refusal is shown at the top of the page (and next to
the fields it concerns), with the status code the API would answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import Forbidden, NotFound, ServiceError
from campus_social.identity import selectors as identity_selectors
from campus_social.identity.models import Resident
from campus_social.search import services as search_services
from campus_social.search.backends import SearchUnavailable
from communities import selectors as communities_selectors
from courses import selectors, services
from courses.selectors import OfferingFilters
from courses.values import ACTIVE_ENROLMENT, EnrolmentStatus, LecturerStatus
from frontend.courses.forms import (
    CatalogueFilterForm,
    CourseForm,
    LecturerApplyForm,
    OfferingCancelForm,
    OfferingCopyForm,
    OfferingForm,
    SessionForm,
    SurveyForm,
)
from frontend.decorators import resident_page
from frontend.helpers import form_id
from frontend.messaging.views import chat_panel_context
from messaging import selectors as messaging_selectors

if TYPE_CHECKING:
    from courses.models import Enrolment, Lecturer, Offering

OFFERINGS_PER_PAGE = 20
UPCOMING_SESSIONS = 10

View = Callable[..., HttpResponse]


def _offering_url(offering_id: int) -> str:
    return reverse("frontend:offering", kwargs={"offering_id": offering_id})


def _manage_url(offering_id: int) -> str:
    return reverse("frontend:teach-offering", kwargs={"offering_id": offering_id})


def _roster_url(offering_id: int) -> str:
    return reverse("frontend:teach-roster", kwargs={"offering_id": offering_id})


# --- The catalogue ------------------------------------------------------------------------------


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Published offerings that have not ended, soonest first (best match first when words are
    given, as search ranks them), 20 a page, with the filters."""
    form = CatalogueFilterForm(request.GET or None)
    page = None
    status = 200
    context: dict[str, Any] = {"form": form}
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        query = data.get("q", "").strip()
        lecturer = data.get("lecturer")
        filters = OfferingFilters(
            category=data.get("category", ""),
            district=data.get("district", ""),
            audience=data.get("audience", ""),
            starts_from=data.get("starts_from"),
            starts_until=data.get("starts_until"),
            weekday=int(data["weekday"]) if data.get("weekday") else None,
            free=True if data.get("free") else None,
            bears_credit=True if data.get("credit") else None,
            lecturer=lecturer,
            query=query,
        )
        viewer = request.user if isinstance(request.user, Resident) else None
        try:
            offerings = selectors.offering_list(filters=filters, viewer=viewer)
            page = Paginator(offerings, OFFERINGS_PER_PAGE).get_page(request.GET.get("page"))
            if query and not page.paginator.count:
                # Nothing matched: other words to try, from search, before any filter.
                context["suggestions"] = search_services.search(
                    text=query, viewer=viewer, kinds=["offering"], page_size=1
                ).suggestions
        except SearchUnavailable as unavailable:
            context["unavailable"] = unavailable.message
            status = 503
        if lecturer:
            context["lecturer_name"] = selectors.lecturer_public_name(lecturer_id=lecturer)
    else:
        status = 400
    # The filters other than the words (and the lecturer, shown above them) that were chosen.
    chosen = [
        name
        for name, value in request.GET.items()
        if value and name not in ("page", "q", "lecturer")
    ]
    filtered = form.is_bound and any(value for name, value in request.GET.items() if name != "page")
    cards = [
        {
            "offering": offering,
            "places_left": max(offering.capacity - getattr(offering, "enrolled", 0), 0),
        }
        for offering in (page or [])
    ]
    context |= {
        "page": page,
        "cards": cards,
        "filtered": filtered,
        # The filter panel opens to show an error, or the choices that narrowed what is listed;
        # never when nothing is listed, where it would push the count and the advice down.
        "filters_open": bool(form.errors) or bool(chosen and cards),
        # Nothing to list: the count and the advice go first, above the form.
        "nothing_found": "unavailable" in context or (filtered and page is not None and not cards),
        "suggestion_links": [
            {"text": text, "url": f"?{urlencode({'q': text})}"}
            for text in context.get("suggestions", [])
        ],
        "all_url": reverse("frontend:course-catalogue"),
    }
    if form.is_bound and request.GET.get("lecturer"):
        without_lecturer = request.GET.copy()
        without_lecturer.pop("lecturer", None)
        without_lecturer.pop("page", None)
        context["without_lecturer_url"] = f"?{without_lecturer.urlencode()}"
    return render(request, "frontend/courses/catalogue.html", context, status=status)


# --- An offering's page -------------------------------------------------------------------------


def _offering_page(
    request: HttpRequest,
    offering_id: int,
    *,
    error: ServiceError | None = None,
    survey_form: SurveyForm | None = None,
    survey_error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    offering = selectors.offering_get_public(offering_id=offering_id)
    user = request.user
    viewer = user if isinstance(user, Resident) else None
    # Every "may I?" and "what is my place?" on the page is this selector's answer.
    state = selectors.offering_enrolment_state(offering=offering, resident=viewer)
    context: dict[str, Any] = {
        "offering": offering,
        "course": offering.course,
        "lecturers": list(offering.lecturers.all()),
        "sessions": list(offering.sessions.all()),
        "state": state,
        "error": error,
        "ics_url": f"/api/v1/offerings/{offering.pk}/calendar.ics",
    }
    if viewer is not None:
        context["manages"] = selectors.can_manage_offering(viewer, offering)
        me = state.me
        took_part = (
            me is not None and me.enrolment is not None and me.enrolment.status == "enrolled"
        )
        if state.ended and took_part:
            context["survey_answered"] = selectors.survey_answered(
                resident=viewer, offering_id=offering.pk
            )
            context["survey_form"] = survey_form or SurveyForm()
            context["survey_error"] = survey_error
        # The cohort's one chat is its circle's room: shown here to those in it.
        cohort_circle = communities_selectors.offering_circle(offering_id=offering.pk, actor=viewer)
        if cohort_circle is not None and cohort_circle.room_id is not None:
            try:
                membership = messaging_selectors.room_membership(
                    room_id=cohort_circle.room_id, resident=viewer
                )
            except NotFound:
                membership = None  # not in the circle, or a child waiting for the room
            if membership is not None:
                context.update(chat_panel_context(request, membership))
                context["cohort_circle"] = cohort_circle
                context["next"] = _offering_url(offering.pk)
    response = render(request, "frontend/courses/offering.html", context, status=status)
    if viewer is not None:
        add_never_cache_headers(response)  # the viewer's own enrolment and chat are on it
    return response


@require_GET
def offering_detail(request: HttpRequest, offering_id: int) -> HttpResponse:
    try:
        return _offering_page(request, offering_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _enrolment_message(enrolment: Enrolment, actor: Resident) -> str:
    # The place counted when the press was taken, under the offering's lock (as the API tells).
    position = enrolment.waitlist_position
    if enrolment.resident_id == actor.pk:
        texts = {
            EnrolmentStatus.ENROLLED: _("You are enrolled. See you there!"),
            EnrolmentStatus.WAITLISTED: _(
                "The course is full. You are number %(position)d on the waiting list; you will "
                "be told when a place frees up."
            ),
            EnrolmentStatus.PENDING: _(
                "Your application is sent. The lecturer will answer; you will be told."
            ),
        }
    else:
        texts = {
            EnrolmentStatus.ENROLLED: _("%(name)s is enrolled."),
            EnrolmentStatus.WAITLISTED: _(
                "The course is full. %(name)s is number %(position)d on the waiting list."
            ),
            EnrolmentStatus.PENDING: _(
                "The application for %(name)s is sent. The lecturer will answer."
            ),
        }
    return texts[EnrolmentStatus(enrolment.status)] % {
        "name": enrolment.resident.display_name,
        "position": position or 0,
    }


@resident_page
@require_POST
def offering_enrol(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    """Enrol myself, or (``resident``) a child of mine: enrolled, waiting or pending."""
    try:
        enrolment = services.enrolment_create(
            actor=request.user,
            offering_id=offering_id,
            resident_id=form_id(request.POST.get("resident")),
        )
    except NotFound:
        raise
    except ServiceError as error:
        return _offering_page(request, offering_id, error=error, status=error.status)
    messages.success(request, _enrolment_message(enrolment, request.user))
    return redirect(_offering_url(offering_id))


@resident_page
@require_POST
def offering_leave(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    """Leave an offering or its waiting list (myself, or a child of mine)."""
    try:
        enrolment = services.enrolment_cancel(
            actor=request.user,
            offering_id=offering_id,
            resident_id=form_id(request.POST.get("resident")),
        )
    except ServiceError as error:
        if isinstance(error, NotFound):
            selectors.offering_get_public(offering_id=offering_id)  # a missing offering: 404
        return _offering_page(request, offering_id, error=error, status=error.status)
    if enrolment.resident_id == request.user.pk:
        messages.success(request, _("Your place is cancelled. You are no longer on this course."))
    else:
        messages.success(
            request,
            _("The place of %(name)s is cancelled.") % {"name": enrolment.resident.display_name},
        )
    return redirect(_offering_url(offering_id))


@resident_page
@require_POST
def offering_survey(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    """Answer the survey once the offering has ended (its lecturer sees only the totals)."""
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return _offering_page(request, offering_id, survey_form=form, status=400)
    try:
        services.survey_answer(
            resident=request.user,
            offering_id=offering_id,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except ServiceError as error:
        form.show_service_error(error)
        return _offering_page(
            request, offering_id, survey_form=form, survey_error=error, status=error.status
        )
    messages.success(request, _("Thank you for your answer! It does not show your name."))
    return redirect(_offering_url(offering_id))


# --- My courses ---------------------------------------------------------------------------------


def _my_courses_page(request: AuthenticatedHttpRequest, *, calendar_url: str = "") -> HttpResponse:
    user = request.user
    now = timezone.now()
    completions = list(selectors.my_completions(resident=user))
    completed = {(c.offering_id, c.resident_id) for c in completions}
    taking: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    earlier: list[dict[str, Any]] = []
    for enrolment in selectors.my_enrolments(resident=user):
        if (enrolment.offering_id, enrolment.resident_id) in completed:
            continue  # listed once, under the courses completed
        row = {
            "enrolment": enrolment,
            "offering": enrolment.offering,
            "for_child": enrolment.resident_id != user.pk,
            "position": enrolment.waitlist_position,
        }
        if enrolment.status not in ACTIVE_ENROLMENT or enrolment.offering.has_ended(now):
            earlier.append(row)
        elif enrolment.status == EnrolmentStatus.ENROLLED:
            taking.append(row)
        else:  # waiting or pending: not taking it (yet)
            waiting.append(row)
    people = []
    children = list(identity_selectors.resident_children(resident=user))
    # The same selectors as GET /api/v1/me/course-sessions/ and /me/completions/.
    upcoming = selectors.my_upcoming_sessions(resident=user, now=now)
    for person in [user, *children]:
        people.append(
            {
                "resident": person,
                "is_me": person.pk == user.pk,
                "sessions": [row.session for row in upcoming if row.resident.pk == person.pk][
                    :UPCOMING_SESSIONS
                ],
                "completions": [c for c in completions if c.resident_id == person.pk],
            }
        )
    context = {
        "current": taking,
        "waiting": waiting,
        "earlier": earlier,
        "people": people,
        "has_children": bool(children),
        "calendar_url": calendar_url,
    }
    return render(request, "frontend/courses/my_courses.html", context)


@resident_page
@require_GET
def my_courses(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _my_courses_page(request)


@resident_page
@require_POST
def calendar_feed_renew(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new private calendar address, shown once on this answer (never cached); the old one
    stops working."""
    token = services.calendar_feed_renew(resident=request.user)
    return _my_courses_page(
        request, calendar_url=request.build_absolute_uri(f"/calendar/{token}.ics")
    )


@resident_page
@require_POST
def calendar_feed_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.calendar_feed_revoke(resident=request.user)
    messages.success(
        request, _("Your private calendar address is turned off. It shows nothing now.")
    )
    return redirect("frontend:my-courses")


# --- Teaching: applying and the dashboard -------------------------------------------------------


def _teach_page(
    request: AuthenticatedHttpRequest,
    *,
    form: LecturerApplyForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    lecturer = selectors.lecturer_of(request.user)
    if lecturer is not None and lecturer.is_approved:
        context = {
            "lecturer": lecturer,
            "offerings": list(selectors.lecturer_offerings(actor=request.user)),
            "courses": list(selectors.lecturer_courses(actor=request.user)),
        }
        return render(request, "frontend/courses/teach_dashboard.html", context, status=status)
    if lecturer is not None and lecturer.status == LecturerStatus.PENDING:
        return render(
            request, "frontend/courses/teach_pending.html", {"lecturer": lecturer}, status=status
        )
    context = {"lecturer": lecturer, "form": form or LecturerApplyForm(), "error": error}
    return render(request, "frontend/courses/teach_apply.html", context, status=status)


@resident_page
@require_GET
def teach(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The application form, the application's status, or (approved) the dashboard."""
    return _teach_page(request)


@resident_page
@require_POST
def teach_apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LecturerApplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _teach_page(request, form=form, status=400)
    data = form.cleaned_data
    try:
        services.lecturer_apply(
            resident=request.user,
            display_name=data["display_name"],
            name_kana=data["name_kana"],
            profile=data["profile"],
            skills=data["skills"],
            teaching_wishes=data["teaching_wishes"],
            wants_to_teach_children=data["wants_to_teach_children"],
            photo=data["photo"],
        )
    except Forbidden:
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _teach_page(request, form=form, error=error, status=error.status)
    messages.success(
        request,
        _("Thank you! Your application is sent. City staff will review it and you will be told."),
    )
    return redirect("frontend:teach")


def _approved_lecturer(request: AuthenticatedHttpRequest) -> Lecturer | None:
    lecturer = selectors.lecturer_of(request.user)
    return lecturer if lecturer is not None and lecturer.is_approved else None


@resident_page
@require_http_methods(["GET", "POST"])
def course_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if _approved_lecturer(request) is None:
        return redirect("frontend:teach")
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = CourseForm(request.POST)
        if form.is_valid():
            try:
                course = services.course_create(actor=request.user, **form.cleaned_data)
            except ServiceError as refusal:
                if isinstance(refusal, Forbidden | NotFound):
                    raise
                error = refusal
                form.show_service_error(refusal)
                status = refusal.status
            else:
                messages.success(
                    request,
                    _("The course is saved. Now say when and where it meets: make an offering."),
                )
                return redirect(f"{reverse('frontend:teach-offering-new')}?course={course.pk}")
        else:
            status = 400
    else:
        form = CourseForm()
    return render(
        request, "frontend/courses/course_new.html", {"form": form, "error": error}, status=status
    )


@resident_page
@require_http_methods(["GET", "POST"])
def offering_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new offering of one of my courses, saved as a draft."""
    if _approved_lecturer(request) is None:
        return redirect("frontend:teach")
    courses = list(selectors.lecturer_courses(actor=request.user))
    if not courses:
        messages.info(request, _("First describe the course; then make an offering of it."))
        return redirect("frontend:teach-course-new")
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = OfferingForm(request.POST, courses=courses)
        if form.is_valid():
            try:
                offering = services.offering_create(
                    actor=request.user,
                    course_id=form.cleaned_data["course"],
                    **form.service_values(),
                )
            except ServiceError as refusal:
                if isinstance(refusal, Forbidden | NotFound):
                    raise
                error = refusal
                form.show_service_error(refusal)
                status = refusal.status
            else:
                messages.success(
                    request,
                    _("The offering is saved as a draft. Add its sessions, then publish it."),
                )
                return redirect(_manage_url(offering.pk))
        else:
            status = 400
    else:
        course_id = form_id(request.GET.get("course"))
        form = OfferingForm(courses=courses, initial={"course": course_id})
    context = {"form": form, "error": error}
    return render(request, "frontend/courses/offering_new.html", context, status=status)


# --- Teaching: managing an offering -------------------------------------------------------------


def _offering_initial(offering: Offering) -> dict[str, Any]:
    return {
        "term": offering.term,
        "venue": offering.venue,
        "district": offering.district.slug,
        "capacity": offering.capacity,
        "fee_yen": offering.fee_yen,
        "enrolment_opens_at": offering.enrolment_opens_at,
        "enrolment_closes_at": offering.enrolment_closes_at,
        "requires_approval": offering.requires_approval,
        "bears_credit": offering.bears_credit,
        "completion_percent": offering.completion_percent,
    }


def _session_prefix(session_id: int) -> str:
    return f"session-{session_id}"


def _manage_page(
    request: AuthenticatedHttpRequest,
    offering_id: int,
    *,
    edit_form: OfferingForm | None = None,
    add_form: SessionForm | None = None,
    move_form: tuple[int, SessionForm] | None = None,
    cancel_form: OfferingCancelForm | None = None,
    copy_form: OfferingCopyForm | None = None,
    error: ServiceError | None = None,
    error_at: str = "",
    status: int = 200,
) -> HttpResponse:
    offering, enrolments, sessions, _present = selectors.roster(
        offering_id=offering_id, actor=request.user
    )
    counts = dict.fromkeys(EnrolmentStatus.values, 0)
    for enrolment in enrolments:
        counts[enrolment.status] += 1
    session_rows = []
    for session in sessions:
        form = (
            move_form[1]
            if move_form is not None and move_form[0] == session.pk
            else SessionForm(
                prefix=_session_prefix(session.pk),
                initial={"starts_at": session.starts_at, "ends_at": session.ends_at},
            )
        )
        session_rows.append({"session": session, "form": form})
    context = {
        "offering": offering,
        "course": offering.course,
        "counts": counts,
        "sessions": session_rows,
        "ended": offering.has_ended(),
        "edit_form": edit_form or OfferingForm(initial=_offering_initial(offering)),
        "add_form": add_form or SessionForm(prefix="new"),
        "cancel_form": cancel_form or OfferingCancelForm(),
        "copy_form": copy_form or OfferingCopyForm(initial={"term": offering.term}),
        "error": error,
        "error_at": error_at,
        "move_error_session": move_form[0] if move_form is not None else None,
    }
    return render(request, "frontend/courses/teach_offering.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def teach_offering(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    """An offering's management page; its form (POST) changes the details."""
    if request.method == "GET":
        return _manage_page(request, offering_id)
    form = OfferingForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, offering_id, edit_form=form, error_at="edit", status=400)
    try:
        services.offering_update(
            actor=request.user, offering_id=offering_id, **form.service_values()
        )
    except NotFound:
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _manage_page(
            request, offering_id, edit_form=form, error=error, error_at="edit", status=error.status
        )
    messages.success(request, _("The details are saved."))
    return redirect(_manage_url(offering_id))


@resident_page
@require_POST
def session_add(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    form = SessionForm(request.POST, prefix="new")
    if not form.is_valid():
        return _manage_page(request, offering_id, add_form=form, error_at="add", status=400)
    try:
        services.session_add(
            actor=request.user,
            offering_id=offering_id,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
        )
    except NotFound:
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _manage_page(
            request, offering_id, add_form=form, error=error, error_at="add", status=error.status
        )
    messages.success(request, _("The session is added."))
    return redirect(f"{_manage_url(offering_id)}#sessions-heading")


@resident_page
@require_POST
def session_move(
    request: AuthenticatedHttpRequest, offering_id: int, session_id: int
) -> HttpResponse:
    form = SessionForm(request.POST, prefix=_session_prefix(session_id))
    if not form.is_valid():
        return _manage_page(
            request, offering_id, move_form=(session_id, form), error_at="move", status=400
        )
    try:
        services.session_update(
            actor=request.user,
            session_id=session_id,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
        )
    except NotFound:
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _manage_page(
            request,
            offering_id,
            move_form=(session_id, form),
            error=error,
            error_at="move",
            status=error.status,
        )
    messages.success(request, _("The session is moved. Everyone enrolled is told."))
    return redirect(f"{_manage_url(offering_id)}#sessions-heading")


@resident_page
@require_POST
def session_cancel(
    request: AuthenticatedHttpRequest, offering_id: int, session_id: int
) -> HttpResponse:
    services.session_cancel(actor=request.user, session_id=session_id)
    messages.success(request, _("The session is cancelled. Everyone enrolled is told."))
    return redirect(f"{_manage_url(offering_id)}#sessions-heading")


@resident_page
@require_POST
def offering_publish(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    try:
        services.offering_publish(actor=request.user, offering_id=offering_id)
    except NotFound:
        raise
    except ServiceError as error:
        return _manage_page(request, offering_id, error=error, status=error.status)
    messages.success(request, _("The offering is published. Residents can enrol now."))
    return redirect(_manage_url(offering_id))


@resident_page
@require_POST
def offering_cancel(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    form = OfferingCancelForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, offering_id, cancel_form=form, error_at="cancel", status=400)
    services.offering_cancel(actor=request.user, offering_id=offering_id)
    messages.success(request, _("The offering is cancelled. Everyone enrolled or waiting is told."))
    return redirect(_manage_url(offering_id))


@resident_page
@require_POST
def offering_copy(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    form = OfferingCopyForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, offering_id, copy_form=form, error_at="copy", status=400)
    try:
        copy = services.offering_copy(
            actor=request.user,
            offering_id=offering_id,
            shift_days=form.cleaned_data["shift_days"],
            term=form.cleaned_data["term"],
        )
    except NotFound:
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _manage_page(
            request, offering_id, copy_form=form, error=error, error_at="copy", status=error.status
        )
    messages.success(
        request, _("This is the copy, saved as a draft. Check its dates, then publish it.")
    )
    return redirect(_manage_url(copy.pk))


# --- Teaching: the roster, completions and feedback ---------------------------------------------


@resident_page
@require_GET
def roster(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    offering, enrolments, sessions, present = selectors.roster(
        offering_id=offering_id, actor=request.user
    )
    enrolled = [e for e in enrolments if e.status == EnrolmentStatus.ENROLLED]
    ended = offering.has_ended()
    context = {
        "offering": offering,
        "course": offering.course,
        "enrolled": enrolled,
        "pending": [e for e in enrolments if e.status == EnrolmentStatus.PENDING],
        # The selector orders each status by the moment of queueing: this is the line.
        "waiting": [e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED],
        "attendance": [
            {
                "session": session,
                "open": selectors.session_attendance_open(session=session),
                "rows": [
                    {"resident": e.resident, "present": (session.pk, e.resident_id) in present}
                    for e in enrolled
                ],
            }
            for session in sessions
        ],
        "ended": ended,
        "completions": list(selectors.completion_list(offering_id=offering.pk))
        if offering.completions_recorded_at
        else [],
        "survey": selectors.survey_summary(offering_id=offering.pk, actor=request.user)
        if ended
        else None,
        "survey_min": selectors.SURVEY_MIN_RESPONSES,
    }
    return render(request, "frontend/courses/roster.html", context)


def _ids(values: list[str]) -> set[int]:
    return {number for number in (form_id(value) for value in values) if number is not None}


@resident_page
@require_POST
def attendance_save(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    """Save one session's column of the roster.  Only the boxes changed since the page was shown
    are written, so that card taps meanwhile are kept."""
    session_id = form_id(request.POST.get("session"))
    if session_id is None:
        raise Http404
    checked = _ids(request.POST.getlist("present"))
    shown = _ids(request.POST.getlist("shown"))
    changes = [(resident_id, True) for resident_id in sorted(checked - shown)] + [
        (resident_id, False) for resident_id in sorted(shown - checked)
    ]
    try:
        for resident_id, present in changes:
            services.attendance_set(
                actor=request.user, session_id=session_id, resident_id=resident_id, present=present
            )
    except ServiceError as error:
        if isinstance(error, NotFound):
            selectors.offering_get_for_manager(offering_id=offering_id, actor=request.user)
        messages.error(request, error.message)
    else:
        messages.success(request, _("The attendance is saved."))
    return redirect(f"{_roster_url(offering_id)}#session-{session_id}")


@resident_page
@require_POST
def enrolment_decide(
    request: AuthenticatedHttpRequest, offering_id: int, enrolment_id: int
) -> HttpResponse:
    """Accept or decline a pending application."""
    approve = request.POST.get("decision") == "approve"
    try:
        enrolment = services.enrolment_decide(
            actor=request.user, enrolment_id=enrolment_id, approve=approve
        )
    except NotFound:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        name = enrolment.resident.display_name
        messages.success(
            request,
            (
                _("%(name)s is enrolled.")
                if approve
                else _("The application of %(name)s is declined.")
            )
            % {"name": name},
        )
    return redirect(_roster_url(offering_id))


@resident_page
@require_POST
def completions_record(request: AuthenticatedHttpRequest, offering_id: int) -> HttpResponse:
    """Record who completed, now (the daily command would do it tonight)."""
    try:
        completions = services.offering_record_completions(
            offering_id=offering_id, actor=request.user
        )
    except NotFound:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The completions are recorded: %(count)d completed the course.")
            % {"count": len(completions)},
        )
    return redirect(f"{_roster_url(offering_id)}#completions-heading")


@resident_page
@require_POST
def completion_grade(
    request: AuthenticatedHttpRequest, offering_id: int, completion_id: int
) -> HttpResponse:
    """Give, change or clear one learner's grade (the roster's grade field)."""
    try:
        completion = services.completion_grade_set(
            actor=request.user, completion_id=completion_id, grade=request.POST.get("grade", "")
        )
    except NotFound:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(f"{_roster_url(offering_id)}#completion-{completion_id}")
    name = completion.resident.display_name
    messages.success(
        request,
        (
            _("The grade of %(name)s is saved.")
            if completion.grade
            else _("The grade of %(name)s is cleared.")
        )
        % {"name": name},
    )
    return redirect(f"{_roster_url(completion.offering_id)}#completion-{completion.pk}")
