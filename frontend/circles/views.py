"""The circle pages: the directory, starting a circle, my circles, a circle's page (joining,
leaving, its picture and its live chat), editing and closing it, and its members (requests,
invitations, roles, removing and banning).  The city staff's figure of circles born from
courses is in ``frontend.staff``.

Each view parses its input, calls one service or selector of ``communities`` and renders.  The
rules and their messages live in the services: a refusal is shown at the top of the page (and
next to the fields it concerns), with the status code the API would answer.  Discussions,
events and resources have pages of their own (``activity_views``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.audit.services import audit_permission_denied
from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import Forbidden, NotFound, ServiceError
from campus_social.identity.models import Resident
from campus_social.search import services as search_services
from campus_social.search.backends import SearchUnavailable
from communities import responses, selectors, services
from communities.selectors import CircleFilters
from communities.values import CircleMemberRole, CircleMemberStatus
from frontend.circles.forms import (
    CIRCLE_FIELD_NAMES,
    SUCCESSOR_FIELD_NAMES,
    CircleCloseForm,
    CircleFilterForm,
    CircleForm,
    InviteForm,
    PictureForm,
    SuccessorForm,
)
from frontend.decorators import resident_page
from frontend.helpers import form_id, safe_next
from frontend.messaging.views import chat_panel_context
from messaging import selectors as messaging_selectors

if TYPE_CHECKING:
    from communities.models import Circle, CircleMember

CIRCLES_PER_PAGE = 20

Role = CircleMemberRole
Status = CircleMemberStatus


def _circle_url(circle_id: int) -> str:
    return reverse("frontend:circle", kwargs={"circle_id": circle_id})


def _members_url(circle_id: int) -> str:
    return reverse("frontend:circle-members", kwargs={"circle_id": circle_id})


def _edit_url(circle_id: int) -> str:
    return reverse("frontend:circle-edit", kwargs={"circle_id": circle_id})


def _shown(request: HttpRequest, error: ServiceError) -> ServiceError:
    """A refusal the page shows itself; a permission refusal is audited all the same, as the
    403 page would have been."""
    if isinstance(error, Forbidden):
        audit_permission_denied(request=request)
    return error


# --- The directory ------------------------------------------------------------------------------


def _card(circle: Circle) -> dict[str, Any]:
    return {
        "circle": circle,
        "topics": [entry.get_topic_display() for entry in circle.topics.all()],
        "last_met": selectors.last_met_at(circle),
        "last_talked": selectors.last_talked_at(circle),
    }


@resident_page
@require_GET
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Circles the resident may know of, by reading (best match first when words are given, as
    search ranks them), 20 a page, with the filters."""
    form = CircleFilterForm(request.GET or None)
    page = None
    status = 200
    context: dict[str, Any] = {"form": form}
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        query = data.get("q", "").strip()
        filters = CircleFilters(
            topic=data.get("topic", ""),
            district=data.get("district", ""),
            active_within_days=form.active_within_days() if form.is_bound else None,
            for_children=True if data.get("for_children") else None,
            query=query,
        )
        try:
            circles = selectors.circle_directory(actor=request.user, filters=filters)
            page = Paginator(circles, CIRCLES_PER_PAGE).get_page(request.GET.get("page"))
            if query and not page.paginator.count:
                # Nothing matched: other words to try, from search, before any filter.
                context["suggestions"] = search_services.search(
                    text=query, viewer=request.user, kinds=["circle"], page_size=1
                ).suggestions
        except SearchUnavailable as unavailable:
            context["unavailable"] = unavailable.message
            status = 503
    else:
        status = 400
    chosen = [name for name, value in request.GET.items() if value and name not in ("page", "q")]
    filtered = form.is_bound and any(value for name, value in request.GET.items() if name != "page")
    cards = [_card(circle) for circle in page or []]
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
    }
    return render(request, "frontend/circles/directory.html", context, status=status)


# --- Starting a circle --------------------------------------------------------------------------


@resident_page
@require_http_methods(["GET", "POST"])
def circle_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = CircleForm(request.POST)
        if form.is_valid():
            try:
                circle = services.circle_create(actor=request.user, **form.service_values())
            except NotFound:
                raise
            except ServiceError as refusal:
                error = _shown(request, refusal)
                form.show_service_error(refusal, field_names=CIRCLE_FIELD_NAMES)
                status = refusal.status
            else:
                messages.success(
                    request,
                    _(
                        "Your circle is started, and you are its organiser. Invite people, or wait "
                        "for them to find it."
                    ),
                )
                return redirect(_circle_url(circle.pk))
        else:
            status = 400
    else:
        form = CircleForm()
    context = {"form": form, "error": error}
    return render(request, "frontend/circles/new.html", context, status=status)


# --- My circles -----------------------------------------------------------------------------------


@resident_page
@require_GET
def my_circles(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mine and my children's circles: member of, invited to, asked to join."""
    groups: dict[str, list[dict[str, Any]]] = {
        Status.ACTIVE: [],
        Status.INVITED: [],
        Status.REQUESTED: [],
    }
    for standing in selectors.my_circles(resident=request.user).select_related("added_by"):
        groups[standing.status].append(
            {
                "standing": standing,
                "circle": standing.circle,
                "child": standing.resident if standing.resident_id != request.user.pk else None,
            }
        )
    context = {
        "member_of": groups[Status.ACTIVE],
        "invited": groups[Status.INVITED],
        "requested": groups[Status.REQUESTED],
        "next": reverse("frontend:my-circles"),
    }
    return render(request, "frontend/circles/mine.html", context)


# --- A circle's page ----------------------------------------------------------------------------


def _circle_page(
    request: AuthenticatedHttpRequest,
    circle_id: int,
    *,
    leave_data: QueryDict | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    """The circle, and what the viewer may do in it: ``circle_abilities`` answers who may join
    (themselves or a child), read, manage, close and hand on; the page renders its answers."""
    user = request.user
    circle = selectors.circle_detail(circle_id=circle_id, actor=user)
    abilities = selectors.circle_abilities(circle=circle, actor=user)
    context: dict[str, Any] = {
        "circle": circle,
        "topics": [entry.get_topic_display() for entry in circle.topics.all()],
        "last_met": selectors.last_met_at(circle),
        "last_talked": selectors.last_talked_at(circle),
        "abilities": abilities,
        "standing": abilities.standing,
        "error": error,
    }
    if abilities.may_hand_on:
        members = selectors.circle_members(circle_id=circle.pk, actor=user)
        successors = [
            row.member.resident for row in abilities.on_members(members) if row.may_succeed
        ]
        leave_form = SuccessorForm(
            leave_data, members=successors, label=_("Who organises the circle after you?")
        )
        if leave_form.is_bound and leave_form.is_valid() and error is not None:
            leave_form.show_service_error(error, field_names=SUCCESSOR_FIELD_NAMES)
        context["leave_form"] = leave_form
        context["can_hand_on"] = bool(successors)
    if abilities.reads and circle.room_id is not None:
        try:
            room_membership = messaging_selectors.room_membership(
                room_id=circle.room_id, resident=user
            )
        except NotFound:
            room_membership = None  # a child waiting for the room, say
        if room_membership is not None:
            context.update(chat_panel_context(request, room_membership))
            context["next"] = _circle_url(circle.pk)
    return render(request, "frontend/circles/circle.html", context, status=status)


@resident_page
@require_GET
def circle_detail(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    return _circle_page(request, circle_id)


@resident_page
@require_GET
def circle_picture(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    circle = selectors.circle_get(circle_id=circle_id, actor=request.user)
    # A streamed file; ``resident_page`` (typed for ``HttpResponse``) passes it on untouched.
    return cast(HttpResponse, responses.circle_picture(circle))


def _joined_message(membership: CircleMember, actor: Resident) -> str:
    values = {"name": membership.resident.display_name, "circle": membership.circle.name}
    if membership.status == Status.REQUESTED:
        if membership.resident_id == actor.pk:
            return _("Your request is sent. The organisers will answer; you will be told.")
        return _("The request for %(name)s is sent. The organisers will answer.") % values
    if membership.resident_id == actor.pk:
        return _("Welcome! You are a member of “%(circle)s”.") % values
    return _("%(name)s is a member of “%(circle)s”.") % values


@resident_page
@require_POST
def circle_join(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """Join, ask to join or accept an invitation: myself, or (``resident``) a child of mine."""
    try:
        membership = services.circle_join(
            actor=request.user,
            circle_id=circle_id,
            resident_id=form_id(request.POST.get("resident")),
        )
    except NotFound:
        raise
    except ServiceError as error:
        return _circle_page(request, circle_id, error=_shown(request, error), status=error.status)
    messages.success(request, _joined_message(membership, request.user))
    return redirect(safe_next(request, request.POST.get("next")) or _circle_url(circle_id))


@resident_page
@require_POST
def circle_leave(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """Leave (the organiser names a successor), withdraw a request, decline an invitation; for
    myself or (``resident``) a child of mine.  Afterwards the page may be hidden (an invite-only
    circle), so the answer goes to my circles."""
    form = SuccessorForm(request.POST, required=False)
    if not form.is_valid():
        return _circle_page(request, circle_id, leave_data=request.POST, status=400)
    resident_id = form_id(request.POST.get("resident"))
    try:
        services.circle_leave(
            actor=request.user,
            circle_id=circle_id,
            resident_id=resident_id,
            successor_id=form.cleaned_data["successor"],
        )
    except ServiceError as error:
        if isinstance(error, NotFound):
            selectors.circle_get(circle_id=circle_id, actor=request.user)  # a hidden circle: 404
        return _circle_page(
            request,
            circle_id,
            leave_data=request.POST,
            error=_shown(request, error),
            status=error.status,
        )
    kind = request.POST.get("kind", "")
    if kind == "decline":
        text = _("The invitation is declined.")
    elif kind == "withdraw":
        text = _("The request to join is withdrawn.")
    elif resident_id is not None and resident_id != request.user.pk:
        text = _("Your child has left the circle.")
    else:
        text = _("You have left the circle.")
    messages.success(request, text)
    return redirect(safe_next(request, request.POST.get("next")) or reverse("frontend:my-circles"))


# --- Editing and closing ------------------------------------------------------------------------


def _edit_page(
    request: AuthenticatedHttpRequest,
    circle_id: int,
    *,
    form: CircleForm | None = None,
    picture_form: PictureForm | None = None,
    error: ServiceError | None = None,
    error_at: str = "",
    status: int = 200,
) -> HttpResponse:
    circle = selectors.circle_detail(circle_id=circle_id, actor=request.user)
    standing = selectors.manager_standing(circle=circle, actor=request.user)
    context = {
        "circle": circle,
        "organises": standing.role == Role.ORGANISER,
        "form": form or CircleForm(initial=CircleForm.initial_for(circle)),
        "picture_form": picture_form or PictureForm(),
        "error": error,
        "error_at": error_at,
    }
    return render(request, "frontend/circles/edit.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def circle_edit(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """The circle's details (its organiser) and picture (organisers and moderators)."""
    if request.method == "GET":
        return _edit_page(request, circle_id)
    form = CircleForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, circle_id, form=form, error_at="details", status=400)
    try:
        services.circle_update(actor=request.user, circle_id=circle_id, **form.service_values())
    except NotFound:
        raise
    except ServiceError as error:
        form.show_service_error(error, field_names=CIRCLE_FIELD_NAMES)
        return _edit_page(
            request,
            circle_id,
            form=form,
            error=_shown(request, error),
            error_at="details",
            status=error.status,
        )
    messages.success(request, _("The details are saved."))
    return redirect(_circle_url(circle_id))


@resident_page
@require_POST
def circle_picture_set(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    form = PictureForm(request.POST, request.FILES)
    if not form.is_valid():
        return _edit_page(request, circle_id, picture_form=form, error_at="picture", status=400)
    try:
        services.circle_picture_set(
            actor=request.user, circle_id=circle_id, upload=form.cleaned_data["picture"]
        )
    except NotFound:
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _edit_page(
            request,
            circle_id,
            picture_form=form,
            error=_shown(request, error),
            error_at="picture",
            status=error.status,
        )
    messages.success(request, _("The picture is saved. Its location data was removed."))
    return redirect(_edit_url(circle_id))


@resident_page
@require_POST
def circle_picture_remove(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    try:
        services.circle_picture_remove(actor=request.user, circle_id=circle_id)
    except NotFound:
        raise
    except ServiceError as error:
        return _edit_page(
            request,
            circle_id,
            error=_shown(request, error),
            error_at="picture",
            status=error.status,
        )
    messages.success(request, _("The picture is removed."))
    return redirect(_edit_url(circle_id))


def _close_page(
    request: AuthenticatedHttpRequest,
    circle_id: int,
    *,
    form: CircleCloseForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    circle = selectors.circle_detail(circle_id=circle_id, actor=request.user)
    standing = selectors.manager_standing(circle=circle, actor=request.user)
    context = {
        "circle": circle,
        "organises": standing.role == Role.ORGANISER,
        "form": form or CircleCloseForm(),
        "error": error,
    }
    return render(request, "frontend/circles/close.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def circle_close(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """A page that asks to confirm; its form closes the circle (the organiser)."""
    if request.method == "GET":
        return _close_page(request, circle_id)
    form = CircleCloseForm(request.POST)
    if not form.is_valid():
        return _close_page(request, circle_id, form=form, status=400)
    try:
        services.circle_close(actor=request.user, circle_id=circle_id)
    except NotFound:
        raise
    except ServiceError as error:
        return _close_page(
            request, circle_id, form=form, error=_shown(request, error), status=error.status
        )
    messages.success(
        request, _("The circle is closed. Its members can still read everything in it.")
    )
    return redirect(_circle_url(circle_id))


# --- Members --------------------------------------------------------------------------------------


def _members_page(
    request: AuthenticatedHttpRequest,
    circle_id: int,
    *,
    invite_form: InviteForm | None = None,
    hand_on_data: QueryDict | None = None,
    error: ServiceError | None = None,
    error_at: str = "",
    status: int = 200,
) -> HttpResponse:
    """Active members for members (and guardians of a child member); requests, invitations and
    bans, and the forms that act on them, for the organisers and moderators."""
    user = request.user
    circle = selectors.circle_get(circle_id=circle_id, actor=user)
    members = list(selectors.circle_members(circle_id=circle.pk, actor=user))
    # What the buttons offer is what the services would take: ``circle_abilities``.
    abilities = selectors.circle_abilities(circle=circle, actor=user)
    rows = abilities.on_members(members)
    pending = (
        abilities.on_members(selectors.circle_pending(circle_id=circle.pk, actor=user))
        if abilities.manages
        else []
    )
    context: dict[str, Any] = {
        "circle": circle,
        "abilities": abilities,
        "rows": rows,
        "requests": [row for row in pending if row.member.status == Status.REQUESTED],
        "invitations": [row.member for row in pending if row.member.status == Status.INVITED],
        "bans": [row.member for row in pending if row.member.status == Status.BANNED],
        "error": error,
        "error_at": error_at,
    }
    if abilities.may_invite:
        context["invite_form"] = invite_form or InviteForm()
    successors = [row.member.resident for row in rows if row.may_succeed]
    if successors:
        hand_on_form = SuccessorForm(hand_on_data, members=successors)
        if hand_on_form.is_bound and hand_on_form.is_valid() and error is not None:
            hand_on_form.show_service_error(error, field_names=SUCCESSOR_FIELD_NAMES)
        context["hand_on_form"] = hand_on_form
    return render(request, "frontend/circles/members.html", context, status=status)


@resident_page
@require_GET
def circle_members(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    return _members_page(request, circle_id)


def _member_refusal(
    request: AuthenticatedHttpRequest, circle_id: int, error: ServiceError, **page: Any
) -> HttpResponse:
    if isinstance(error, NotFound):
        # The circle itself hidden from the actor is a 404; a member that is gone is a message.
        selectors.circle_get(circle_id=circle_id, actor=request.user)
    return _members_page(
        request, circle_id, error=_shown(request, error), status=error.status, **page
    )


@resident_page
@require_POST
def member_invite(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members_page(request, circle_id, invite_form=form, error_at="invite", status=400)
    try:
        membership = services.circle_invite(
            actor=request.user,
            circle_id=circle_id,
            resident_id=form.cleaned_data["resident_number"],
        )
    except ServiceError as error:
        return _member_refusal(request, circle_id, error, invite_form=form, error_at="invite")
    if membership.is_active:
        messages.success(request, _("They had asked to join, and are a member now."))
    else:
        messages.success(
            request, _("The invitation is sent. They find it under “My circles” to accept it.")
        )
    return redirect(f"{_members_url(circle_id)}#invite-heading")


@resident_page
@require_POST
def request_decide(
    request: AuthenticatedHttpRequest, circle_id: int, resident_id: int
) -> HttpResponse:
    """Approve or decline a request to join."""
    approve = request.POST.get("decision") == "approve"
    try:
        membership = services.circle_request_decide(
            actor=request.user, circle_id=circle_id, resident_id=resident_id, approve=approve
        )
    except ServiceError as error:
        return _member_refusal(request, circle_id, error)
    if membership is not None:
        messages.success(
            request,
            _("%(name)s is a member now, and is told.")
            % {"name": membership.resident.display_name},
        )
    else:
        messages.success(request, _("The request is declined, and the person is told."))
    return redirect(_members_url(circle_id))


@resident_page
@require_POST
def member_remove(
    request: AuthenticatedHttpRequest, circle_id: int, resident_id: int
) -> HttpResponse:
    """Remove a member or withdraw an invitation; with ``ban``, keep them out too."""
    ban = request.POST.get("ban") == "1"
    try:
        services.circle_member_remove(
            actor=request.user, circle_id=circle_id, resident_id=resident_id, ban=ban
        )
    except ServiceError as error:
        return _member_refusal(request, circle_id, error)
    if ban:
        messages.success(request, _("They are banned: they cannot join again unless you unban."))
    else:
        messages.success(request, _("They are no longer in the circle."))
    return redirect(_members_url(circle_id))


@resident_page
@require_POST
def member_unban(
    request: AuthenticatedHttpRequest, circle_id: int, resident_id: int
) -> HttpResponse:
    try:
        services.circle_unban(actor=request.user, circle_id=circle_id, resident_id=resident_id)
    except ServiceError as error:
        return _member_refusal(request, circle_id, error)
    messages.success(request, _("The ban is lifted. They may join again."))
    return redirect(_members_url(circle_id))


@resident_page
@require_POST
def member_role_set(
    request: AuthenticatedHttpRequest, circle_id: int, resident_id: int
) -> HttpResponse:
    """Make a member a moderator, or a moderator a member (the organiser)."""
    try:
        membership = services.circle_role_set(
            actor=request.user,
            circle_id=circle_id,
            resident_id=resident_id,
            role=request.POST.get("role", ""),
        )
    except ServiceError as error:
        return _member_refusal(request, circle_id, error)
    name = membership.resident.display_name
    if membership.role == Role.MODERATOR:
        messages.success(request, _("%(name)s is a moderator now.") % {"name": name})
    else:
        messages.success(request, _("%(name)s is a member now, not a moderator.") % {"name": name})
    return redirect(_members_url(circle_id))


@resident_page
@require_POST
def organiser_hand_on(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """Hand the organiser role to another member; I stay as a moderator."""
    form = SuccessorForm(request.POST)
    if not form.is_valid():
        return _members_page(
            request, circle_id, hand_on_data=request.POST, error_at="hand-on", status=400
        )
    try:
        successor = services.circle_organiser_hand_on(
            actor=request.user, circle_id=circle_id, successor_id=form.cleaned_data["successor"]
        )
    except ServiceError as error:
        return _member_refusal(
            request, circle_id, error, hand_on_data=request.POST, error_at="hand-on"
        )
    messages.success(
        request,
        _("%(name)s is the organiser now, and is told. You stay on as a moderator.")
        % {"name": successor.resident.display_name},
    )
    return redirect(_members_url(circle_id))
