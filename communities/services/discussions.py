"""A circle's discussions: threads and replies, their edits and removal."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.common.errors import Forbidden, NotFound
from campus_social.identity.models import Resident
from communities.models import Circle, CircleMember, Reply, Thread
from communities.selectors import circle_get, member_standing
from communities.services._common import _fail, _open_circle, _poster, _require_may_post, _text


def _touch(circle: Circle, moment: datetime) -> None:
    Circle.objects.filter(pk=circle.pk).update(last_posted_at=moment)


def thread_create(*, actor: Resident, circle_id: int, title: object, body: object) -> Thread:
    """Start a discussion (members only)."""
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title, limit=200)
    body = _text(errors, "body", body, limit=10000, multiline=True)
    _fail(errors)
    with transaction.atomic():
        circle, _standing = _poster(circle_id, actor)
        now = timezone.now()
        thread = Thread.objects.create(
            circle=circle, author=actor, title=title, body=body, created_at=now, last_post_at=now
        )
        _touch(circle, now)
    return thread


def _thread(thread_id: object, actor: Resident) -> Thread:
    thread = (
        Thread.objects.select_related("circle").filter(pk=thread_id).first()
        if isinstance(thread_id, int)
        else None
    )
    if thread is None:
        raise NotFound(_("No such discussion."))
    circle_get(circle_id=thread.circle_id, actor=actor)
    member_standing(circle=thread.circle, actor=actor, reading=True)
    if thread.removed_at is not None:
        raise NotFound(_("No such discussion."))
    return thread


def _own_post(author_id: int | None, actor: Resident) -> None:
    if author_id != actor.pk:
        raise Forbidden(_("You can only edit your own posts."), code="not_author")


def thread_edit(
    *, actor: Resident, thread_id: int, title: object = None, body: object = None
) -> Thread:
    errors: dict[str, list[str]] = {}
    new_title = _text(errors, "title", title, limit=200) if title is not None else None
    new_body = (
        _text(errors, "body", body, limit=10000, multiline=True) if body is not None else None
    )
    _fail(errors)
    with transaction.atomic():
        thread = _thread(thread_id, actor)
        member_standing(circle=thread.circle, actor=actor)
        _own_post(thread.author_id, actor)
        _open_circle(thread.circle)
        _require_may_post(thread.circle, actor)
        if new_title is not None:
            thread.title = new_title
        if new_body is not None:
            thread.body = new_body
        thread.edited_at = timezone.now()
        thread.save(update_fields=["title", "body", "edited_at"])
    return thread


def thread_remove(*, actor: Resident, thread_id: int) -> Thread:
    """Remove a discussion: its author, or the circle's organisers and moderators."""
    with transaction.atomic():
        thread = _thread(thread_id, actor)
        standing = member_standing(circle=thread.circle, actor=actor)
        if thread.author_id != actor.pk and not standing.manages:
            raise Forbidden(_("You can only remove your own posts."), code="not_author")
        thread.removed_at = timezone.now()
        thread.save(update_fields=["removed_at"])
    return thread


def reply_create(*, actor: Resident, thread_id: int, body: object) -> Reply:
    errors: dict[str, list[str]] = {}
    body = _text(errors, "body", body, limit=10000, multiline=True)
    _fail(errors)
    with transaction.atomic():
        thread = _thread(thread_id, actor)
        member_standing(circle=thread.circle, actor=actor)
        _open_circle(thread.circle)
        _require_may_post(thread.circle, actor)
        now = timezone.now()
        reply = Reply.objects.create(thread=thread, author=actor, body=body, created_at=now)
        Thread.objects.filter(pk=thread.pk).update(
            last_post_at=now, reply_count=F("reply_count") + 1
        )
        _touch(thread.circle, now)
    return reply


def _reply(reply_id: object, actor: Resident) -> tuple[Reply, CircleMember]:
    reply = (
        Reply.objects.select_related("thread__circle").filter(pk=reply_id).first()
        if isinstance(reply_id, int)
        else None
    )
    if reply is None or reply.removed_at is not None:
        raise NotFound(_("No such reply."))
    _thread(reply.thread_id, actor)
    standing = member_standing(circle=reply.thread.circle, actor=actor)
    return reply, standing


def reply_edit(*, actor: Resident, reply_id: int, body: object) -> Reply:
    errors: dict[str, list[str]] = {}
    text = _text(errors, "body", body, limit=10000, multiline=True)
    _fail(errors)
    with transaction.atomic():
        reply, _standing = _reply(reply_id, actor)
        _own_post(reply.author_id, actor)
        _open_circle(reply.thread.circle)
        _require_may_post(reply.thread.circle, actor)
        reply.body = text
        reply.edited_at = timezone.now()
        reply.save(update_fields=["body", "edited_at"])
    return reply


def reply_remove(*, actor: Resident, reply_id: int) -> Reply:
    with transaction.atomic():
        reply, standing = _reply(reply_id, actor)
        if reply.author_id != actor.pk and not standing.manages:
            raise Forbidden(_("You can only remove your own posts."), code="not_author")
        reply.removed_at = timezone.now()
        reply.save(update_fields=["removed_at"])
        Thread.objects.filter(pk=reply.thread_id).update(reply_count=F("reply_count") - 1)
    return reply
