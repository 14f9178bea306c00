"""What a circle does together: its discussions, its meetings (events, answers and ``.ics``
files) and the links, documents and pictures its members share.

Every page first reads the circle and the viewer's standing in it: an outsider of an
invite-only circle gets the 404 page (``circle_get``), any other resident who is not a member
the 403 page (``member_standing``); a guardian of a child member reads along without posting.
An id nested in the address (a discussion, a reply, a meeting, a resource) must belong to the
circle of the address, else 404.  Then the view calls one selector (to show) or one service (to
change) of ``communities``.  A refusal of the input is shown on the page, next to the fields it
concerns, with the status the API would answer; a service's ``Forbidden`` and ``NotFound`` become
the (audited) 403 and 404 pages through ``resident_page``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import Forbidden, NotFound, ServiceError
from communities import responses, selectors, services
from communities.values import CircleMemberStatus, ResourceKind, RsvpAnswer
from frontend.circles.activity_forms import (
    EventForm,
    FileForm,
    LinkForm,
    ReplyForm,
    RsvpForm,
    ThreadForm,
)
from frontend.decorators import resident_page
from frontend.helpers import form_id

if TYPE_CHECKING:
    from communities.models import Circle, CircleEvent, CircleMember, Reply, Resource, Thread

THREADS_PER_PAGE = 20
RESOURCES_PER_PAGE = 30
PAST_EVENTS_SHOWN = 20
TEMPLATES = "frontend/circles/activity"


# --- The circle of the address, and what the viewer may do in it -------------------------------


@dataclass(frozen=True)
class _Place:
    """The circle and what the viewer may do in it (``communities.selectors.circle_abilities``,
    the services' own rules: a button shown is a button the service takes)."""

    circle: Circle
    standing: CircleMember
    abilities: selectors.CircleAbilities

    @property
    def is_member(self) -> bool:
        return self.abilities.is_member

    @property
    def can_post(self) -> bool:
        return self.abilities.may_post

    @property
    def manages(self) -> bool:
        return self.abilities.manages

    def may_remove(self, author_id: int | None, actor_id: int) -> bool:
        return self.abilities.may_remove(author_id)

    def context(self, section: str) -> dict[str, Any]:
        return {
            "circle": self.circle,
            "section": section,
            "is_member": self.is_member,
            "can_post": self.can_post,
            "manages": self.manages,
        }


def _place(request: AuthenticatedHttpRequest, circle_id: int) -> _Place:
    circle = selectors.circle_get(circle_id=circle_id, actor=request.user)
    standing = selectors.member_standing(circle=circle, actor=request.user, reading=True)
    return _Place(circle, standing, selectors.circle_abilities(circle=circle, actor=request.user))


def _thread_in(request: AuthenticatedHttpRequest, place: _Place, thread_id: int) -> Thread:
    return selectors.thread_detail(
        circle_id=place.circle.pk, thread_id=thread_id, actor=request.user
    )


def _reply_in(thread: Thread, reply_id: int) -> Reply:
    return selectors.reply_get(thread=thread, reply_id=reply_id)


def _event_in(request: AuthenticatedHttpRequest, place: _Place, event_id: int) -> CircleEvent:
    return selectors.event_detail(circle_id=place.circle.pk, event_id=event_id, actor=request.user)


def _resource_in(request: AuthenticatedHttpRequest, place: _Place, resource_id: int) -> Resource:
    return selectors.resource_get(
        circle_id=place.circle.pk, resource_id=resource_id, actor=request.user
    )


def _url(name: str, **kwargs: int) -> str:
    return reverse(f"frontend:{name}", kwargs=kwargs)


# --- Discussions ----------------------------------------------------------------------------------


def _discussions_page(
    request: AuthenticatedHttpRequest,
    circle_id: int,
    *,
    form: ThreadForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    place = _place(request, circle_id)
    threads = selectors.thread_list(circle_id=place.circle.pk, actor=request.user)
    context = {
        **place.context("discussions"),
        "page": Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page")),
        "form": form or ThreadForm(),
        "error": error,
    }
    return render(request, f"{TEMPLATES}/discussions.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def circle_discussions(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """The circle's discussions, newest post first; the form (POST) starts one."""
    if request.method == "GET":
        return _discussions_page(request, circle_id)
    form = ThreadForm(request.POST)
    if not form.is_valid():
        return _discussions_page(request, circle_id, form=form, status=400)
    try:
        thread = services.thread_create(
            actor=request.user,
            circle_id=circle_id,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
    except (Forbidden, NotFound):
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _discussions_page(request, circle_id, form=form, error=error, status=error.status)
    messages.success(request, _("Your discussion is started."))
    return redirect(_url("circle-thread", circle_id=circle_id, thread_id=thread.pk))


def _thread_page(
    request: AuthenticatedHttpRequest,
    circle_id: int,
    thread_id: int,
    *,
    form: ReplyForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    place = _place(request, circle_id)
    thread = _thread_in(request, place, thread_id)
    me = request.user.pk
    context = {
        **place.context("discussions"),
        "thread": thread,
        "thread_mine": place.can_post and thread.author_id == me,
        "thread_removable": place.may_remove(thread.author_id, me),
        "replies": [
            {
                "reply": reply,
                "mine": place.can_post and reply.author_id == me,
                "removable": place.may_remove(reply.author_id, me),
            }
            for reply in selectors.reply_list(thread=thread)
        ],
        "form": form or ReplyForm(),
        "error": error,
    }
    return render(request, f"{TEMPLATES}/thread.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def circle_thread(
    request: AuthenticatedHttpRequest, circle_id: int, thread_id: int
) -> HttpResponse:
    """A discussion with its replies; the form (POST) replies."""
    if request.method == "GET":
        return _thread_page(request, circle_id, thread_id)
    _thread_in(request, _place(request, circle_id), thread_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _thread_page(request, circle_id, thread_id, form=form, status=400)
    try:
        reply = services.reply_create(
            actor=request.user, thread_id=thread_id, body=form.cleaned_data["body"]
        )
    except (Forbidden, NotFound):
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _thread_page(
            request, circle_id, thread_id, form=form, error=error, status=error.status
        )
    messages.success(request, _("Your reply is posted."))
    thread_url = _url("circle-thread", circle_id=circle_id, thread_id=thread_id)
    return redirect(f"{thread_url}#reply-{reply.pk}")


def _own(author_id: int | None, request: AuthenticatedHttpRequest) -> None:
    """The edit forms are shown for one's own posts only (the service checks again)."""
    if author_id != request.user.pk:
        raise Forbidden(_("You can only edit your own posts."), code="not_author")


def _edit_page(
    request: AuthenticatedHttpRequest,
    place: _Place,
    thread: Thread,
    form: ThreadForm | ReplyForm,
    *,
    reply: Reply | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        **place.context("discussions"),
        "thread": thread,
        "reply": reply,
        "form": form,
        "error": error,
    }
    return render(request, f"{TEMPLATES}/post_edit.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def circle_thread_edit(
    request: AuthenticatedHttpRequest, circle_id: int, thread_id: int
) -> HttpResponse:
    place = _place(request, circle_id)
    thread = _thread_in(request, place, thread_id)
    if request.method == "GET":
        _own(thread.author_id, request)
        form = ThreadForm(initial={"title": thread.title, "body": thread.body})
        return _edit_page(request, place, thread, form)
    form = ThreadForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, place, thread, form, status=400)
    try:
        services.thread_edit(
            actor=request.user,
            thread_id=thread.pk,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
    except (Forbidden, NotFound):
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _edit_page(request, place, thread, form, error=error, status=error.status)
    messages.success(request, _("Your changes are saved."))
    return redirect(_url("circle-thread", circle_id=circle_id, thread_id=thread.pk))


@resident_page
@require_http_methods(["GET", "POST"])
def circle_reply_edit(
    request: AuthenticatedHttpRequest, circle_id: int, thread_id: int, reply_id: int
) -> HttpResponse:
    place = _place(request, circle_id)
    thread = _thread_in(request, place, thread_id)
    reply = _reply_in(thread, reply_id)
    if request.method == "GET":
        _own(reply.author_id, request)
        form = ReplyForm(initial={"body": reply.body})
        return _edit_page(request, place, thread, form, reply=reply)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, place, thread, form, reply=reply, status=400)
    try:
        services.reply_edit(actor=request.user, reply_id=reply.pk, body=form.cleaned_data["body"])
    except (Forbidden, NotFound):
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _edit_page(
            request, place, thread, form, reply=reply, error=error, status=error.status
        )
    messages.success(request, _("Your changes are saved."))
    thread_url = _url("circle-thread", circle_id=circle_id, thread_id=thread.pk)
    return redirect(f"{thread_url}#reply-{reply.pk}")


@resident_page
@require_POST
def circle_thread_remove(
    request: AuthenticatedHttpRequest, circle_id: int, thread_id: int
) -> HttpResponse:
    """Remove a discussion (its author, or the organisers and moderators)."""
    thread = _thread_in(request, _place(request, circle_id), thread_id)
    services.thread_remove(actor=request.user, thread_id=thread.pk)
    messages.success(request, _("The discussion is removed."))
    return redirect(_url("circle-discussions", circle_id=circle_id))


@resident_page
@require_POST
def circle_reply_remove(
    request: AuthenticatedHttpRequest, circle_id: int, thread_id: int, reply_id: int
) -> HttpResponse:
    """Remove a reply (its author, or the organisers and moderators)."""
    thread = _thread_in(request, _place(request, circle_id), thread_id)
    reply = _reply_in(thread, reply_id)
    services.reply_remove(actor=request.user, reply_id=reply.pk)
    messages.success(request, _("The reply is removed."))
    return redirect(_url("circle-thread", circle_id=circle_id, thread_id=thread.pk))


# --- Meetings -------------------------------------------------------------------------------------


def _events_page(
    request: AuthenticatedHttpRequest,
    circle_id: int,
    *,
    form: EventForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    place = _place(request, circle_id)
    circle_id, actor = place.circle.pk, request.user
    context = {
        **place.context("events"),
        "upcoming": list(selectors.event_list(circle_id=circle_id, actor=actor, upcoming=True)),
        "past": list(
            selectors.event_list(circle_id=circle_id, actor=actor, upcoming=False)[
                :PAST_EVENTS_SHOWN
            ]
        ),
        "form": form or EventForm(),
        "error": error,
    }
    return render(request, f"{TEMPLATES}/events.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def circle_events(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """The circle's coming and past meetings; the form (POST, organisers and moderators) plans
    one, and the members are told."""
    if request.method == "GET":
        return _events_page(request, circle_id)
    form = EventForm(request.POST)
    if not form.is_valid():
        return _events_page(request, circle_id, form=form, status=400)
    try:
        event = services.event_create(actor=request.user, circle_id=circle_id, **form.cleaned_data)
    except (Forbidden, NotFound):
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _events_page(request, circle_id, form=form, error=error, status=error.status)
    messages.success(request, _("The meeting is planned. The members are told."))
    return redirect(_url("circle-event", circle_id=circle_id, event_id=event.pk))


@resident_page
@require_GET
def circle_events_ics(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """All the circle's meetings as one calendar file (cancelled ones marked so)."""
    place = _place(request, circle_id)
    events = selectors.event_list(circle_id=place.circle.pk, actor=request.user)
    return responses.events_ics(request, events, name=place.circle.name)


def _answer_forms(
    request: AuthenticatedHttpRequest,
    place: _Place,
    answers: dict[int, str],
    sent: RsvpForm | None,
) -> list[RsvpForm]:
    """One answer form for me (a member) and one for each child of mine in the circle."""
    people = selectors.my_circles(resident=request.user).filter(
        circle=place.circle, status=CircleMemberStatus.ACTIVE
    )
    forms = []
    # Mine first, then my children's.
    for membership in sorted(people, key=lambda m: m.resident_id != request.user.pk):
        person = membership.resident
        label = (
            _("Will you come?")
            if person.pk == request.user.pk
            else _("Will %(name)s come?") % {"name": person.display_name}
        )
        if sent is not None and sent.initial.get("resident") == person.pk:
            sent.fields["answer"].label = label
            forms.append(sent)
        else:
            initial = {"answer": answers.get(person.pk)}
            forms.append(RsvpForm(person_id=person.pk, label=label, initial=initial))
    return forms


def _event_page(
    request: AuthenticatedHttpRequest,
    circle_id: int,
    event_id: int,
    *,
    rsvp_form: RsvpForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    place = _place(request, circle_id)
    event = _event_in(request, place, event_id)
    rsvps = list(selectors.event_rsvps(event=event))
    answers = {rsvp.resident_id: rsvp.answer for rsvp in rsvps}
    over = event.ends_at < timezone.now()
    open_for_answers = event.cancelled_at is None and not over
    context = {
        **place.context("events"),
        "event": event,
        "over": over,
        "coming": [r.resident for r in rsvps if r.answer == RsvpAnswer.YES],
        "maybe": [r.resident for r in rsvps if r.answer == RsvpAnswer.MAYBE],
        "not_coming": sum(1 for r in rsvps if r.answer == RsvpAnswer.NO),
        "rsvp_forms": _answer_forms(request, place, answers, rsvp_form) if open_for_answers else [],
        "sent_form": rsvp_form,
        "error": error,
        "can_change": place.manages and event.cancelled_at is None and not place.circle.is_closed,
    }
    return render(request, f"{TEMPLATES}/event.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def circle_event(request: AuthenticatedHttpRequest, circle_id: int, event_id: int) -> HttpResponse:
    """A meeting, who comes, and (POST) my answer or my child's."""
    if request.method == "GET":
        return _event_page(request, circle_id, event_id)
    event = _event_in(request, _place(request, circle_id), event_id)
    person_id = form_id(request.POST.get("resident")) or request.user.pk
    form = RsvpForm(request.POST, person_id=person_id, initial={"resident": person_id})
    if not form.is_valid():
        return _event_page(request, circle_id, event_id, rsvp_form=form, status=400)
    try:
        rsvp = services.rsvp_set(
            actor=request.user,
            event_id=event.pk,
            answer=form.cleaned_data["answer"],
            resident_id=person_id,
        )
    except (Forbidden, NotFound):
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _event_page(
            request, circle_id, event_id, rsvp_form=form, error=error, status=error.status
        )
    if rsvp.resident_id == request.user.pk:
        messages.success(request, _("Your answer is saved."))
    else:
        messages.success(
            request,
            _("The answer for %(name)s is saved.") % {"name": rsvp.resident.display_name},
        )
    return redirect(_url("circle-event", circle_id=circle_id, event_id=event.pk))


@resident_page
@require_GET
def circle_event_ics(
    request: AuthenticatedHttpRequest, circle_id: int, event_id: int
) -> HttpResponse:
    place = _place(request, circle_id)
    event = _event_in(request, place, event_id)
    return responses.events_ics(request, [event], name=place.circle.name)


def _event_edit_page(
    request: AuthenticatedHttpRequest,
    place: _Place,
    event: CircleEvent,
    form: EventForm,
    *,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {**place.context("events"), "event": event, "form": form, "error": error}
    return render(request, f"{TEMPLATES}/event_edit.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def circle_event_edit(
    request: AuthenticatedHttpRequest, circle_id: int, event_id: int
) -> HttpResponse:
    """Change a meeting's details (organisers and moderators)."""
    place = _place(request, circle_id)
    event = _event_in(request, place, event_id)
    if request.method == "GET":
        selectors.manager_standing(circle=place.circle, actor=request.user)
        form = EventForm(
            initial={
                "title": event.title,
                "description": event.description,
                "place": event.place,
                "starts_at": event.starts_at,
                "ends_at": event.ends_at,
            }
        )
        return _event_edit_page(request, place, event, form)
    form = EventForm(request.POST)
    if not form.is_valid():
        return _event_edit_page(request, place, event, form, status=400)
    try:
        services.event_update(actor=request.user, event_id=event.pk, **form.cleaned_data)
    except (Forbidden, NotFound):
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _event_edit_page(request, place, event, form, error=error, status=error.status)
    messages.success(request, _("The meeting is changed."))
    return redirect(_url("circle-event", circle_id=circle_id, event_id=event.pk))


@resident_page
@require_POST
def circle_event_cancel(
    request: AuthenticatedHttpRequest, circle_id: int, event_id: int
) -> HttpResponse:
    """Cancel a meeting (organisers and moderators); the members are told."""
    event = _event_in(request, _place(request, circle_id), event_id)
    services.event_cancel(actor=request.user, event_id=event.pk)
    messages.success(request, _("The meeting is cancelled. The members are told."))
    return redirect(_url("circle-event", circle_id=circle_id, event_id=event.pk))


# --- Shared resources -----------------------------------------------------------------------------


def _resources_page(
    request: AuthenticatedHttpRequest,
    circle_id: int,
    *,
    link_form: LinkForm | None = None,
    file_form: FileForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    place = _place(request, circle_id)
    resources = selectors.resource_list(circle_id=place.circle.pk, actor=request.user)
    page = Paginator(resources, RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **place.context("resources"),
        "page": page,
        "rows": [
            {
                "resource": resource,
                "removable": place.may_remove(resource.added_by_id, request.user.pk),
            }
            for resource in page
        ],
        "link_form": link_form or LinkForm(),
        "file_form": file_form or FileForm(),
        "link_error": error if link_form is not None else None,
        "file_error": error if file_form is not None else None,
    }
    return render(request, f"{TEMPLATES}/resources.html", context, status=status)


@resident_page
@require_GET
def circle_resources(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """The links, documents and pictures the members share, newest first."""
    return _resources_page(request, circle_id)


@resident_page
@require_POST
def circle_resource_add_link(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _resources_page(request, circle_id, link_form=form, status=400)
    try:
        services.resource_add_link(
            actor=request.user,
            circle_id=circle_id,
            title=form.cleaned_data["title"],
            url=form.cleaned_data["url"],
        )
    except (Forbidden, NotFound):
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _resources_page(request, circle_id, link_form=form, error=error, status=error.status)
    messages.success(request, _("The link is shared."))
    return redirect(_url("circle-resources", circle_id=circle_id))


@resident_page
@require_POST
def circle_resource_add_file(request: AuthenticatedHttpRequest, circle_id: int) -> HttpResponse:
    """Share a picture (re-encoded without its hidden details) or a document."""
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _resources_page(request, circle_id, file_form=form, status=400)
    try:
        resource = services.resource_add_file(
            actor=request.user,
            circle_id=circle_id,
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
        )
    except (Forbidden, NotFound):
        raise
    except ServiceError as error:
        form.show_service_error(error)
        return _resources_page(request, circle_id, file_form=form, error=error, status=error.status)
    if resource.kind == ResourceKind.PICTURE:
        messages.success(request, _("The picture is shared."))
    else:
        messages.success(request, _("The document is shared."))
    return redirect(_url("circle-resources", circle_id=circle_id))


@resident_page
@require_POST
def circle_resource_remove(
    request: AuthenticatedHttpRequest, circle_id: int, resource_id: int
) -> HttpResponse:
    """Remove a shared resource (whoever shared it, or the organisers and moderators)."""
    resource = _resource_in(request, _place(request, circle_id), resource_id)
    services.resource_remove(actor=request.user, resource_id=resource.pk)
    messages.success(request, _("It is removed."))
    return redirect(_url("circle-resources", circle_id=circle_id))


@resident_page
@require_GET
def circle_resource_file(
    request: AuthenticatedHttpRequest, circle_id: int, resource_id: int
) -> HttpResponse:
    """A shared file: a picture shown, a document downloaded, for the circle's readers only."""
    resource = _resource_in(request, _place(request, circle_id), resource_id)
    # A streamed file; ``resident_page`` (typed for ``HttpResponse``) passes it on untouched.
    return cast(HttpResponse, responses.resource_file(resource))
