"""The resident's message pages: the list of their rooms, a room (its recent messages, the send,
reply, read and report forms) and the moderators' queue of reported messages.

Everything works without JavaScript; ``static/frontend/js/chat.js`` adds the live chat on top
(through the websocket ``/ws/v1/``), configured by the ``data-*`` attributes of the chat panel
(``templates/frontend/messaging/chat_panel.html``).  Each view calls one service or selector of
``messaging``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campus_social.common.authentication import AuthenticatedHttpRequest
from campus_social.common.errors import NotFound, ServiceError
from frontend.decorators import resident_page
from frontend.helpers import safe_next
from frontend.messaging.forms import MessageSendForm, ModerateForm, ReportForm, SeqForm
from messaging import selectors, services

if TYPE_CHECKING:
    from messaging.models import Message, Room, RoomMember

MESSAGES_PER_PAGE = 50

View = Callable[..., HttpResponse]


def _titles(request: AuthenticatedHttpRequest, rooms: list[Room]) -> dict[int, str]:
    return selectors.room_titles(resident=request.user, rooms=rooms)


# --- Pages ------------------------------------------------------------------------------------


@resident_page
@require_GET
def room_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = list(selectors.room_list_for_resident(resident=request.user))
    titles = _titles(request, [membership.room for membership in memberships])
    rooms = [
        {
            "membership": membership,
            "room": membership.room,
            "title": titles[membership.room_id],
            "unread": max(getattr(membership, "unread", 0), 0),
            "notes": _room_notes(membership),
        }
        for membership in memberships
    ]
    context = {
        "rooms": rooms,
        "moderates": any(membership.is_moderator for membership in memberships),
    }
    return render(request, "frontend/messaging/rooms.html", context)


def _room_notes(membership: RoomMember) -> str:
    room = membership.room
    notes = [str(room.get_kind_display())] if room.title else []
    if membership.is_moderator:
        notes.append(_("You moderate this room"))
    elif not membership.can_write:
        notes.append(_("You can read this room"))
    if room.closed_at:
        notes.append(_("Closed"))
    return " · ".join(notes)


def _parse_seq(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 0 < len(value) < 19 else None


def chat_panel_context(
    request: HttpRequest,
    membership: RoomMember,
    *,
    send_form: MessageSendForm | None = None,
    error: ServiceError | None = None,
) -> dict[str, Any]:
    """What ``frontend/messaging/chat_panel.html`` needs, for the room page or any page that
    embeds a room's chat (``?before=seq`` pages back, ``?reply_to=seq`` starts a reply)."""
    room = membership.room
    before = _parse_seq(request.GET.get("before"))
    chat_messages = selectors.message_list(room=room, before=before, limit=MESSAGES_PER_PAGE)
    first_seq = chat_messages[0].seq if chat_messages else None
    if send_form is None:
        reply_to = _parse_seq(request.GET.get("reply_to"))
        if reply_to is not None and reply_to > room.last_seq:
            reply_to = None
        send_form = MessageSendForm(room_id=room.pk, initial={"reply_to": reply_to})
    reply_to_value = send_form["reply_to"].value()
    # The message box and reply links only where a send would be taken (muted, closed, a
    # reader, a lapsed vetting record where children are: the reason instead).  A refused
    # post keeps its box, so the typed text is not lost; the error summary says why.
    refusal = None if send_form.is_bound else selectors.send_refusal(membership=membership)
    return {
        "room": room,
        "membership": membership,
        "chat_messages": chat_messages,
        "send_form": send_form,
        "reply_to": _parse_seq(str(reply_to_value)) if reply_to_value else None,
        "chat_error": error,
        "unread": selectors.unread_count(membership),
        "send_refusal": refusal,
        # The newest page is live (chat.js appends to it); an older page stays as it is.
        "is_newest": before is None or before > room.last_seq,
        "older_before": first_seq if first_seq is not None and first_seq > 1 else None,
        "last_seq": chat_messages[-1].seq if chat_messages else 0,
    }


def _room_page(
    request: AuthenticatedHttpRequest,
    membership: RoomMember,
    *,
    send_form: MessageSendForm | None = None,
    error: ServiceError | None = None,
    status: int = 200,
) -> HttpResponse:
    context = chat_panel_context(request, membership, send_form=send_form, error=error)
    context["room_title"] = _titles(request, [membership.room])[membership.room_id]
    return render(request, "frontend/messaging/room.html", context, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def room_detail(request: AuthenticatedHttpRequest, room_id: int) -> HttpResponse:
    """A room's newest messages (or older ones, ``?before=seq``) and the send form, which posts
    here.  Readers (guardians) see the messages without the form."""
    membership = selectors.room_membership(room_id=room_id, resident=request.user)
    if request.method == "GET":
        return _room_page(request, membership)
    form = MessageSendForm(request.POST, room_id=room_id)
    if not form.is_valid():
        return _room_page(request, membership, send_form=form, status=400)
    try:
        message, _created = services.message_send(
            room_id=room_id,
            author=request.user,
            client_id=form.cleaned_data["client_id"],
            body=form.cleaned_data["body"],
            reply_to=form.cleaned_data["reply_to"],
        )
    except NotFound:
        raise
    except ServiceError as refusal:
        form.show_service_error(refusal)
        return _room_page(request, membership, send_form=form, error=refusal, status=refusal.status)
    return _back_to(request, room_id, anchor=_message_anchor(message))


@resident_page
@require_POST
def room_read(request: AuthenticatedHttpRequest, room_id: int) -> HttpResponse:
    """Mark the room read up to a message (the newest one shown)."""
    form = SeqForm(request.POST)
    if form.is_valid():
        try:
            services.read_pointer_move(
                room_id=room_id, resident=request.user, seq=form.cleaned_data["seq"]
            )
        except NotFound:
            raise
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The messages are marked as read."))
    return _back_to(request, room_id)


@resident_page
@require_POST
def message_report(request: AuthenticatedHttpRequest, room_id: int) -> HttpResponse:
    """Report a message to the room's moderators."""
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The report could not be sent. Please try again."))
        return _back_to(request, room_id)
    seq = form.cleaned_data["seq"]
    try:
        services.message_report(
            room_id=room_id, seq=seq, reporter=request.user, reason=form.cleaned_data["reason"]
        )
    except ServiceError as error:
        if isinstance(error, NotFound):
            # The room itself is checked first, so this is a message that is gone.
            selectors.room_membership(room_id=room_id, resident=request.user)
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Thank you. The moderators of this room will look at the message.")
        )
    return _back_to(request, room_id, anchor=f"m-{room_id}-{seq}")


@resident_page
@require_GET
def moderation_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open reports in the rooms I moderate, one entry per reported message."""
    entries: dict[int, dict[str, Any]] = {}
    reports = list(selectors.report_queue(moderator=request.user))
    titles = _titles(request, [report.message.room for report in reports])
    for report in reports:
        entry = entries.setdefault(
            report.message_id,
            {
                "message": report.message,
                "room": report.message.room,
                "room_title": titles[report.message.room_id],
                "reports": [],
            },
        )
        entry["reports"].append(report)
    return render(request, "frontend/messaging/moderation.html", {"entries": entries.values()})


@resident_page
@require_POST
def message_moderate(request: AuthenticatedHttpRequest, room_id: int, seq: int) -> HttpResponse:
    """Hide, remove or dismiss the reports of a message; a reason is required."""
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose what to do with the message."))
        return redirect("frontend:message-moderation")
    action = form.cleaned_data["action"]
    try:
        services.message_moderate(
            room_id=room_id,
            seq=seq,
            moderator=request.user,
            action=action,
            reason=form.cleaned_data["reason"],
        )
    except NotFound:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('frontend:message-moderation')}#report-{room_id}-{seq}")
    done = {
        "hide": _("The message is hidden. Its reports are closed."),
        "remove": _("The message is removed for good. Its reports are closed."),
        "dismiss": _("The reports are dismissed. The message stays."),
    }
    messages.success(request, done[action])
    return redirect("frontend:message-moderation")


# --- Helpers ----------------------------------------------------------------------------------


def _message_anchor(message: Message) -> str:
    return f"m-{message.room_id}-{message.seq}"


def _back_to(request: HttpRequest, room_id: int, *, anchor: str = "") -> HttpResponse:
    """Back to the page the form was on (a circle's page embedding the chat) or the room."""
    target = safe_next(request, request.POST.get("next")) or reverse(
        "frontend:message-room", kwargs={"room_id": room_id}
    )
    if anchor and "#" not in target:
        target = f"{target}#{anchor}"
    return redirect(target)
