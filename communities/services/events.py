"""A circle's events (meetings) and the members' answers to them."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.common.errors import Conflict, NotFound
from campus_social.identity.models import Resident
from campus_social.notifications.services import notification_send_many
from communities.models import Circle, CircleEvent, CircleMember, Rsvp
from communities.selectors import circle_get, manager_standing, member_standing
from communities.services._common import NOTIFY, _fail, _joiner_or_child, _open_circle, _text


def _clean_event(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    limits = {"title": (200, True), "description": (5000, False), "place": (200, True)}
    for field, (limit, required) in limits.items():
        if field in values or not partial:
            clean[field] = _text(
                errors,
                field,
                values.get(field),
                limit=limit,
                required=required,
                multiline=field == "description",
            )
    for field in ("starts_at", "ends_at"):
        if field in values or not partial:
            moment = values.get(field)
            if not isinstance(moment, datetime) or timezone.is_naive(moment):
                errors[field] = [_("Enter a date and time.")]
            else:
                clean[field] = moment
    _fail(errors)
    return clean


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        _fail({"ends_at": [_("The event must end after it starts.")]})


def event_create(*, actor: Resident, circle_id: int, **values: Any) -> CircleEvent:
    """Plan a meeting (organisers and moderators); members are told."""
    clean = _clean_event(values, partial=False)
    _check_times(clean["starts_at"], clean["ends_at"])
    if clean["starts_at"] < timezone.now():
        _fail({"starts_at": [_("The event must start in the future.")]})
    with transaction.atomic():
        circle = circle_get(circle_id=circle_id, actor=actor)
        manager_standing(circle=circle, actor=actor)
        _open_circle(circle)
        event = CircleEvent.objects.create(circle=circle, created_by=actor, **clean)
        _tell_members(
            circle,
            gettext_lazy("New meeting of “%(circle)s”: %(title)s"),
            {"title": event.title},
            url=f"/circles/{circle.pk}/events/{event.pk}/",
            skip=actor.pk,
        )
    return event


def _tell_members(
    circle: Circle, title: Any, params: dict[str, Any], *, url: str, skip: int | None = None
) -> None:
    """Tell every active member (but ``skip``, the one acting) in one bulk send: a fixed number
    of queries however large the circle."""
    members = circle.memberships.filter(status=CircleMember.Status.ACTIVE)
    if skip is not None:
        members = members.exclude(resident_id=skip)
    notification_send_many(
        recipients=[membership.resident for membership in members.select_related("resident")],
        kind=NOTIFY["events"],
        title_template=title,
        params={"circle": circle.name, **params},
        url=url,
    )


def _event(event_id: object, actor: Resident) -> CircleEvent:
    event = (
        CircleEvent.objects.select_related("circle").filter(pk=event_id).first()
        if isinstance(event_id, int)
        else None
    )
    if event is None:
        raise NotFound(_("No such event."))
    circle_get(circle_id=event.circle_id, actor=actor)
    member_standing(circle=event.circle, actor=actor, reading=True)
    return event


def event_update(*, actor: Resident, event_id: int, **values: Any) -> CircleEvent:
    clean = _clean_event(values, partial=True)
    with transaction.atomic():
        event = _event(event_id, actor)
        manager_standing(circle=event.circle, actor=actor)
        _open_circle(event.circle)
        if event.cancelled_at is not None:
            raise Conflict(_("This event is cancelled."), code="cancelled")
        before = (event.starts_at, event.ends_at, event.place)
        for field, value in clean.items():
            setattr(event, field, value)
        _check_times(event.starts_at, event.ends_at)
        # As for a new event: moving one into the past would fake a meeting (last met, the
        # "still alive" figure).
        if "starts_at" in clean and event.starts_at < timezone.now():
            _fail({"starts_at": [_("The event must start in the future.")]})
        event.save()
        if (event.starts_at, event.ends_at, event.place) != before:
            _tell_members(
                event.circle,
                gettext_lazy("Changed time or place: %(title)s (“%(circle)s”)"),
                {"title": event.title},
                url=f"/circles/{event.circle_id}/events/{event.pk}/",
                skip=actor.pk,
            )
    return event


def event_cancel(*, actor: Resident, event_id: int) -> CircleEvent:
    with transaction.atomic():
        event = _event(event_id, actor)
        manager_standing(circle=event.circle, actor=actor)
        if event.cancelled_at is None:
            event.cancelled_at = timezone.now()
            event.save(update_fields=["cancelled_at"])
            _tell_members(
                event.circle,
                gettext_lazy("Cancelled: %(title)s (“%(circle)s”)"),
                {"title": event.title},
                url=f"/circles/{event.circle_id}/events/{event.pk}/",
                skip=actor.pk,
            )
    return event


def rsvp_set(
    *, actor: Resident, event_id: int, answer: object, resident_id: int | None = None
) -> Rsvp:
    """Say whether one comes (members; a guardian answers for their child)."""
    if answer not in Rsvp.Answer.values:
        _fail({"answer": [_("Answer yes, maybe or no.")]})
    who = _joiner_or_child(actor, resident_id)
    with transaction.atomic():
        event = _event(event_id, actor)
        member_standing(circle=event.circle, actor=who)
        _open_circle(event.circle)
        if event.cancelled_at is not None:
            raise Conflict(_("This event is cancelled."), code="cancelled")
        if event.ends_at < timezone.now():
            raise Conflict(_("This event is over."), code="past")
        rsvp, _created = Rsvp.objects.update_or_create(
            event=event, resident=who, defaults={"answer": answer, "answered_at": timezone.now()}
        )
    return rsvp
