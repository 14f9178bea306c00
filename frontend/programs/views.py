"""The programs pages, participants' side: the list of programs, a program's page (details,
sessions, who takes part, the invitation to answer, the way to consent, and its room), a
guardian's consent and its withdrawal, a session's page (photos, reflections and the reflection
form), a photo's image, the senior's volunteering page and the guardian's page.

Each view parses its input, calls one service or selector of ``communities`` and renders; the
rules and their messages are the services'.  A refusal is shown on the page (at the top, and
beside the fields it concerns) with the status the API would answer.  Children appear to
everyone but the coordinators and their own guardians by given name and school year only
(``program_selectors.child_card``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.audit.services import audit_permission_denied
from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import Forbidden, NotFound, ServiceError
from campus_social.identity.models import AgeBand
from campus_social.identity.selectors import resident_children
from campus_social.identity.values import grade_label
from communities import program_selectors as selectors
from communities import responses, services
from communities.services.programs import RECORDED
from communities.values import DayPart, VolunteerStatus, Weekday
from frontend.decorators import resident_page
from frontend.messaging.views import chat_panel_context
from frontend.programs.forms import (
    CONSENT_FIELD_NAMES,
    OFFER_FIELD_NAMES,
    AnswerForm,
    ChildForm,
    ConsentForm,
    ReflectionForm,
    VolunteerOfferForm,
)
from messaging import selectors as messaging_selectors

if TYPE_CHECKING:
    from communities.models import Program

PROGRAMS_PER_PAGE = 20


def _program_url(program_id: int) -> str:
    return reverse("frontend:program", kwargs={"program_id": program_id})


def _session_url(session_id: int) -> str:
    return reverse("frontend:program-session", kwargs={"session_id": session_id})


def _shown(request: AuthenticatedHttpRequest, error: ServiceError) -> ServiceError:
    """A refusal the page shows itself; a permission refusal is audited as the 403 page
    would have been."""
    if isinstance(error, Forbidden):
        audit_permission_denied(request=request)
    return error


def _grades(program: Program) -> str:
    low, high = grade_label(program.grade_min), grade_label(program.grade_max)
    return low if low == high else f"{low}–{high}"


# --- The list -----------------------------------------------------------------------------------


@resident_page
@require_GET
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The programs I may see (``program_list``), 20 a page."""
    programs = selectors.program_list(actor=request.user).order_by("-starts_on", "-id")
    page = Paginator(programs, PROGRAMS_PER_PAGE).get_page(request.GET.get("page"))
    cards = [{"program": program, "grades": _grades(program)} for program in page]
    return render(request, "frontend/programs/list.html", {"page": page, "cards": cards})


# --- A program's page ---------------------------------------------------------------------------


def _program_page(
    request: AuthenticatedHttpRequest,
    program_id: int,
    *,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    program = selectors.program_get(program_id=program_id, actor=user)
    now = timezone.now()
    sessions = list(selectors.program_sessions(program=program))
    manages = selectors.program_manages(program=program, actor=user)
    roster = selectors.program_roster(program=program, actor=user)
    invitation = selectors.program_invitation(program=program, actor=user)
    my_children = [
        row for row in selectors.guardian_child_programs(actor=user) if row.program.pk == program.pk
    ]
    context: dict[str, Any] = {
        "program": program,
        "grades": _grades(program),
        "coming": [session for session in sessions if session.ends_at >= now],
        "past": [session for session in sessions if session.ends_at < now],
        "roster": roster,
        "children": [
            {**card, "grade_label": grade_label(card["grade"])} for card in roster.children
        ],
        "manages": manages,
        "participates": selectors.program_participates(program=program, actor=user),
        "invitation": invitation,
        "may_answer": invitation is not None
        and invitation.status == VolunteerStatus.INVITED
        and program.is_open,
        "consentable": selectors.consentable_children(program=program, actor=user),
        "my_children": my_children,
        "is_child": user.is_child,
        "error": error,
    }
    if program.room_id is not None:
        try:
            membership = messaging_selectors.room_membership(room_id=program.room_id, resident=user)
        except NotFound:
            membership = None  # not in the room, or a child waiting for a vetted moderator
        if membership is not None:
            context.update(chat_panel_context(request, membership))
            context["next"] = _program_url(program.pk)
    return render(request, "frontend/programs/program.html", context, status=status)


@resident_page
@require_GET
def program_detail(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    return _program_page(request, program_id)


@resident_page
@require_POST
def program_answer(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The invited senior accepts or declines; a refusal (``vetting_required``) is shown on
    the program's page."""
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _program_page(request, program_id, status=400)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        services.volunteer_answer(actor=request.user, program_id=program_id, accept=accept)
    except NotFound:
        raise
    except ServiceError as refusal:
        return _program_page(
            request, program_id, error=_shown(request, refusal), status=refusal.status
        )
    if accept:
        messages.success(request, _("Thank you! You take part in this program now."))
    else:
        messages.success(request, _("The invitation is declined."))
    back = request.POST.get("back")
    if back == "volunteering":
        return redirect("frontend:my-volunteering")
    return redirect(_program_url(program_id))


# --- Consent ------------------------------------------------------------------------------------


def _consent_page(
    request: AuthenticatedHttpRequest,
    program: Program,
    form: ConsentForm,
    *,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "program": program,
        "grades": _grades(program),
        "form": form,
        "recorded": RECORDED,
        "error": error,
    }
    return render(request, "frontend/programs/consent.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def program_consent(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """A guardian picks their child, reads what the child will do and what is recorded, says
    whether photos may be taken, and may sign the child up at once (``consent_give``)."""
    user = request.user
    program = selectors.program_get(program_id=program_id, actor=user)
    children = selectors.consentable_children(program=program, actor=user)
    if request.method != "POST":
        return _consent_page(request, program, ConsentForm(children=children))
    # Every child of mine may be named (the service refuses a consented one, or a wrong year).
    all_children = [child for child in resident_children(resident=user) if child.is_child]
    form = ConsentForm(request.POST, children=all_children)
    if not form.is_valid():
        return _consent_page(request, program, form, status=400)
    try:
        services.consent_give(
            actor=user,
            program_id=program.pk,
            child_id=form.cleaned_data["child"],
            photos_allowed=form.cleaned_data["photos"],
            sign_up=form.cleaned_data["sign_up"],
        )
    except NotFound:
        raise
    except ServiceError as refusal:
        form.show_service_error(refusal, field_names=CONSENT_FIELD_NAMES)
        return _consent_page(
            request, program, form, error=_shown(request, refusal), status=refusal.status
        )
    if form.cleaned_data["sign_up"]:
        messages.success(
            request, _("Thank you. Your consent is recorded and your child is signed up.")
        )
    else:
        messages.success(
            request,
            _("Thank you. Your consent is recorded; the coordinator will add your child."),
        )
    return redirect("frontend:my-children-programs")


@resident_page
@require_POST
def program_consent_withdraw(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Withdraw consent for my child, with effect at once (``consent_withdraw``)."""
    form = ChildForm(request.POST)
    child_id = form.cleaned_data["child"] if form.is_valid() else None
    try:
        services.consent_withdraw(actor=request.user, program_id=program_id, child_id=child_id)
    except NotFound:
        raise
    except ServiceError as refusal:
        _shown(request, refusal)
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _(
                "Consent is withdrawn, with effect now: your child has left the program and its "
                "chat, and is no longer shown in its photos."
            ),
        )
    return redirect("frontend:my-children-programs")


# --- A session's page ---------------------------------------------------------------------------


def _session_page(
    request: AuthenticatedHttpRequest,
    session_id: int,
    *,
    form: ReflectionForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    session = selectors.session_participant_get(session_id=session_id, actor=user)
    authors = selectors.reflection_authors(session=session, actor=user)
    reflections = selectors.session_reflections(session_id=session.pk, actor=user)
    if form is None and authors:
        # One author: what they wrote before is in the box (writing again replaces it).
        written = {row.author["id"]: row.text for row in reflections}
        initial = {"text": written.get(authors[0].pk, "")} if len(authors) == 1 else {}
        form = ReflectionForm(initial=initial, authors=authors, actor=user)
    context = {
        "session": session,
        "program": session.program,
        "photos": list(selectors.session_photos(session_id=session.pk, actor=user)),
        "reflections": [
            {
                **row.__dict__,
                "author": {**row.author, "grade_label": grade_label(row.author["grade"])},
            }
            for row in reflections
        ],
        "form": form,
        # A guardian whose one child takes part writes for that child: say so above the box.
        "writing_for": authors[0] if len(authors) == 1 and authors[0].pk != user.pk else None,
        "begun": session.starts_at <= timezone.now(),
        "is_child": user.is_child,
        "error": error,
    }
    return render(request, "frontend/programs/session.html", context, status=status)


@resident_page
@require_GET
def session_detail(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    return _session_page(request, session_id)


@resident_page
@require_POST
def session_reflection(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """A participant's reflection (or a guardian's, for their child): ``reflection_write``."""
    user = request.user
    session = selectors.session_participant_get(session_id=session_id, actor=user)
    authors = selectors.reflection_authors(session=session, actor=user)
    form = ReflectionForm(request.POST, authors=authors, actor=user)
    if not form.is_valid():
        return _session_page(request, session_id, form=form, status=400)
    author = form.cleaned_data["author"]
    try:
        services.reflection_write(
            actor=user,
            session_id=session.pk,
            text_value=form.cleaned_data["text"],
            child_id=None if author == user.pk else author,
        )
    except NotFound:
        raise
    except ServiceError as refusal:
        form.show_service_error(refusal)
        return _session_page(
            request, session_id, form=form, error=_shown(request, refusal), status=refusal.status
        )
    if user.is_child:
        messages.success(request, _("Thank you! Your words are saved."))
    else:
        messages.success(request, _("The reflection is saved."))
    return redirect(_session_url(session.pk))


@resident_page
@require_GET
def photo_image(request: AuthenticatedHttpRequest, photo_id: int) -> HttpResponse:
    """A session photo's bytes, for those who may see it (``session_photo_get``); uncached."""
    photo = selectors.session_photo_get(photo_id=photo_id, actor=request.user)
    # A streamed file; ``resident_page`` (typed for ``HttpResponse``) passes it on untouched.
    return cast(HttpResponse, responses.session_photo(photo))


# --- The senior's page --------------------------------------------------------------------------


def _availability_rows(form: VolunteerOfferForm) -> list[dict[str, Any]]:
    """The weekday × part-of-day grid of checkboxes, one row a weekday."""
    chosen = set(form["availability"].value() or [])
    return [
        {
            "label": day.label,
            "slots": [
                {
                    "value": f"{day.value}-{part.value}",
                    "label": part.label,
                    "checked": f"{day.value}-{part.value}" in chosen,
                }
                for part in DayPart
            ],
        }
        for day in Weekday
    ]


def _volunteering_page(
    request: AuthenticatedHttpRequest,
    *,
    form: VolunteerOfferForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    offer = selectors.volunteer_offer_current(resident=user)
    if form is None:
        initial: dict[str, Any] = {}
        if offer is not None:
            initial = {
                "skills": offer.skills,
                "topics": offer.topics,
                "districts": [district.pk for district in offer.districts.all()],
                "availability": offer.availability,
            }
        form = VolunteerOfferForm(initial=initial)
    volunteering = list(selectors.volunteering_of(resident=user))
    taking_part = [row for row in volunteering if row.status == VolunteerStatus.ACCEPTED]
    coming = selectors.coming_sessions(program_ids=[row.program_id for row in taking_part])
    context = {
        "is_senior": user.age_band == AgeBand.SENIOR,
        "offer": offer,
        "form": form,
        "days": [part.label for part in DayPart],
        "availability_rows": _availability_rows(form),
        "invitations": [row for row in volunteering if row.status == VolunteerStatus.INVITED],
        "taking_part": [(row, coming.get(row.program_id, [])) for row in taking_part],
        "earlier": [
            row
            for row in volunteering
            if row.status in (VolunteerStatus.DECLINED, VolunteerStatus.REMOVED)
        ],
        "error": error,
    }
    return render(request, "frontend/programs/volunteering.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def my_volunteering(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A senior's offer (``volunteer_offer_set``), invitations, programs and coming sessions."""
    if request.method != "POST":
        return _volunteering_page(request)
    form = VolunteerOfferForm(request.POST)
    if not form.is_valid():
        return _volunteering_page(request, form=form, status=400)
    try:
        services.volunteer_offer_set(actor=request.user, **form.service_values())
    except ServiceError as refusal:
        form.show_service_error(refusal, field_names=OFFER_FIELD_NAMES)
        return _volunteering_page(
            request, form=form, error=_shown(request, refusal), status=refusal.status
        )
    messages.success(request, _("Your offer is saved. Coordinators can now find it."))
    return redirect("frontend:my-volunteering")


@resident_page
@require_POST
def volunteer_offer_withdraw(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        services.volunteer_offer_withdraw(actor=request.user)
    except ServiceError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("Your offer is withdrawn. The programs you take part in keep you."),
        )
    return redirect("frontend:my-volunteering")


# --- The guardian's page ------------------------------------------------------------------------


@resident_page
@require_GET
def my_children_programs(request: AuthenticatedHttpRequest) -> HttpResponse:
    """For each of my children: the programs taking part in or consented for, with the coming
    sessions and the way to withdraw (``guardian_child_programs``)."""
    user = request.user
    rows = selectors.guardian_child_programs(actor=user)
    coming = selectors.coming_sessions(program_ids=sorted({row.program.pk for row in rows}))
    children = [child for child in resident_children(resident=user) if child.is_child]
    per_child = [
        {
            "child": child,
            "rows": [
                {"row": row, "coming": coming.get(row.program.pk, []) if row.taking_part else []}
                for row in rows
                if row.child.pk == child.pk
            ],
        }
        for child in children
    ]
    return render(
        request,
        "frontend/programs/my_children.html",
        {"per_child": per_child, "has_children": bool(children)},
    )
