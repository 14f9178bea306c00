"""Writes for learner circles: the circle itself, who is in it, its discussions, events and
shared resources, and the circles born from course offerings.

Every public service takes the acting resident and checks it; outsiders who may not know that a
circle exists get ``NotFound``.  The circle's chat room (``messaging``) follows the membership:
each change here is mirrored through ``messaging.services`` in the same transaction.
Notifications and file clean-up run after the commit.
"""

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.common.images import clean_image
from campus_social.common.text import text_clean
from campus_social.identity.models import District, Resident
from campus_social.identity.selectors import (
    resident_children,
    resident_guardians,
    resident_is_city_staff,
    resident_is_guardian_of,
)
from campus_social.notifications.services import notification_send_translated
from campus_social.safeguarding.selectors import (
    Participation,
    require_child_contact,
    resident_is_vetted,
)
from communities.models import (
    Circle,
    CircleEvent,
    CircleMember,
    CircleTopic,
    Reply,
    Resource,
    Rsvp,
    Thread,
    Topic,
)
from communities.selectors import (
    circle_get,
    manager_standing,
    member_standing,
)
from communities.uploads import clean_upload
from courses.models import Enrolment, Offering
from messaging import services as rooms
from messaging.models import Room

NOTIFY = {
    "membership": "communities.membership",
    "requests": "communities.join_requests",
    "events": "communities.events",
}

ROOM_ROLE: dict[str, str] = {
    CircleMember.Role.ORGANISER: "moderator",
    CircleMember.Role.MODERATOR: "moderator",
    CircleMember.Role.MEMBER: "member",
}


def _fail(errors: dict[str, list[str]], *, code: str = "invalid") -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise Invalid(first, code=code, fields=errors)


def _text(
    errors: dict[str, list[str]],
    field: str,
    value: object,
    *,
    limit: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    text = ""
    if isinstance(value, str):
        # The one text rule (campus_social.common.text): NFC, no control or bidi characters,
        # and nothing but invisible characters counts as empty.
        try:
            text = text_clean(value, multiline=multiline).strip()
        except Invalid as refusal:
            errors.setdefault(field, []).append(refusal.message)
            return ""
    if value is not None and not isinstance(value, str):
        errors.setdefault(field, []).append(_("Please enter text."))
    elif required and not text:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(text) > limit:
        errors.setdefault(field, []).append(
            _("At most %(limit)d characters, please.") % {"limit": limit}
        )
    return text


def _open_circle(circle: Circle) -> None:
    if circle.is_closed:
        raise Conflict(_("This circle is closed."), code="closed")


def _room_key(circle_id: int) -> str:
    return f"circle:{circle_id}"


def _room_for(circle: Circle) -> Room:
    if circle.room_id is None:
        circle.room = rooms.room_create(
            kind="circle", subject_key=_room_key(circle.pk), title=circle.name
        )
        circle.save(update_fields=["room"])
    assert circle.room is not None
    return circle.room


def _room_join(circle: Circle, membership: CircleMember) -> None:
    rooms.room_member_add(
        room=_room_for(circle), resident=membership.resident, role=ROOM_ROLE[membership.role]
    )


def _room_leave(circle: Circle, resident: Resident) -> None:
    if circle.room_id is None:
        return
    room = _room_for(circle)
    rooms.room_member_remove(room=room, resident=resident)
    # A guardian who leaves still reads along for a child who stays (as ``member_standing``
    # lets them read the circle).
    if CircleMember.objects.filter(
        circle=circle,
        status=CircleMember.Status.ACTIVE,
        resident__in=resident_children(resident=resident),
    ).exists():
        rooms.room_member_add(room=room, resident=resident, role="reader")


def _locked(circle_id: int) -> Circle:
    """The circle's row, locked for the rest of the transaction (membership changes queue)."""
    circle = Circle.objects.select_for_update().filter(pk=circle_id).first()
    if circle is None:
        raise NotFound(_("No such circle."))
    return circle


def _child_members(circle: Circle) -> list[Resident]:
    members = circle.memberships.filter(status=CircleMember.Status.ACTIVE).select_related(
        "resident"
    )
    return [m.resident for m in members if m.resident.is_child]


def _require_vetted_entry(circle: Circle, resident: Resident, need: Participation) -> None:
    """Safeguarding's one rule (``campus_social.safeguarding``): in a circle meant for
    children an adult becomes a member only with a current vetting record (a guardian reads
    along through their child without joining), and a moderator needs one too.  Asked at each
    step — request, invitation, approval, role — so that no organiser's decision overrides it."""
    require_child_contact(
        resident=resident,
        children=_child_members(circle),
        for_children=circle.for_children,
        need=need,
    )


def _require_may_post(circle: Circle, resident: Resident) -> None:
    """Where children are members, an adult writes only with a vetting record current today
    (the same rule as the circle's chat room): an expired record stops them at once."""
    require_child_contact(
        resident=resident, children=_child_members(circle), need=Participation.POST
    )


# --- The circle ----------------------------------------------------------------------------------


def _clean_circle(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    limits = {"name": (120, True), "name_kana": (240, True), "description": (5000, False)}
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
    if "visibility" in values or not partial:
        visibility = values.get("visibility", Circle.Visibility.OPEN)
        if visibility not in Circle.Visibility.values:
            errors["visibility"] = [_("Choose open, moderated or invite only.")]
        clean["visibility"] = visibility
    if "district" in values:
        # Named by its code (slug), as offerings and every district in the API are.
        code = values["district"]
        district = (
            District.objects.filter(slug=code).first() if isinstance(code, str) and code else None
        )
        if district is None:
            errors["district"] = [
                _("There is no district with the code “%(code)s”.") % {"code": code}
            ]
        clean["district"] = district
    elif "district_id" in values or not partial:
        # By its id: the pages' form, and API clients of the previous release (until the next).
        district_id = values.get("district_id")
        district = (
            District.objects.filter(pk=district_id).first()
            if isinstance(district_id, int)
            else None
        )
        if district is None:
            errors["district_id"] = [_("Choose a district.")]
        clean["district"] = district
    if "topics" in values or not partial:
        topics = values.get("topics") or []
        if not isinstance(topics, list | tuple) or any(t not in Topic.values for t in topics):
            errors["topics"] = [_("Choose topics from the list.")]
            topics = []
        elif not topics:
            errors["topics"] = [_("Choose at least one topic.")]
        clean["topics"] = sorted(set(topics))
    if "for_children" in values:
        if not isinstance(values["for_children"], bool):
            errors["for_children"] = [_("Answer yes or no.")]
        clean["for_children"] = values["for_children"] is True
    _fail(errors)
    return clean


def _check_children_lead(circle: Circle, organiser: Resident) -> None:
    if circle.for_children and not resident_is_vetted(organiser):
        raise Forbidden(
            _("Only an organiser with a current vetting record may open a circle to children."),
            code="vetting_required",
        )


def circle_create(*, actor: Resident, **values: Any) -> Circle:
    """A new circle, the actor its organiser.  ``values``: name, name_kana, description,
    district (its code) or district_id, visibility, topics, for_children."""
    if actor.is_child:
        raise Forbidden(_("Children join circles through a guardian."), code="guardian_required")
    clean = _clean_circle(values, partial=False)
    topics = clean.pop("topics")
    with transaction.atomic():
        circle = Circle(created_by=actor, **clean)
        _check_children_lead(circle, actor)
        circle.save()
        CircleTopic.objects.bulk_create(CircleTopic(circle=circle, topic=t) for t in topics)
        organiser = CircleMember.objects.create(
            circle=circle,
            resident=actor,
            role=CircleMember.Role.ORGANISER,
            status=CircleMember.Status.ACTIVE,
            joined_at=timezone.now(),
        )
        _room_join(circle, organiser)
    return circle


def circle_update(*, actor: Resident, circle_id: int, **values: Any) -> Circle:
    """Change the circle's details (its organiser only)."""
    clean = _clean_circle(values, partial=True)
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        standing = manager_standing(circle=circle, actor=actor)
        if standing.role != CircleMember.Role.ORGANISER:
            raise Forbidden(_("Only the organiser changes the circle's details."))
        _open_circle(circle)
        topics = clean.pop("topics", None)
        for field, value in clean.items():
            setattr(circle, field, value)
        if clean.get("for_children"):
            _check_children_lead(circle, actor)
        if (
            not circle.for_children
            and circle.memberships.filter(
                status__in=[CircleMember.Status.ACTIVE, CircleMember.Status.REQUESTED]
            )
            .filter(resident__in=_children(circle))
            .exists()
        ):
            raise Conflict(
                _("Children are members: the circle must stay open to children."),
                code="children_present",
            )
        circle.save()
        if topics is not None:
            circle.topics.all().delete()
            CircleTopic.objects.bulk_create(CircleTopic(circle=circle, topic=t) for t in topics)
        if "name" in clean and circle.room_id is not None:
            rooms.room_rename(room=_room_for(circle), title=circle.name)
    return circle


def _children(circle: Circle) -> list[int]:
    return [
        m.resident_id for m in circle.memberships.select_related("resident") if m.resident.is_child
    ]


def circle_picture_set(
    *, actor: Resident, circle_id: int, upload: UploadedFile | IO[bytes]
) -> Circle:
    """The circle's picture, re-encoded without EXIF/GPS (organiser or moderators)."""
    # Checked before the picture is decoded, so that nobody else can make the server work.
    manager_standing(circle=circle_get(circle_id=circle_id, actor=actor), actor=actor)
    picture = clean_image(upload, field="picture")
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        manager_standing(circle=circle, actor=actor)
        _open_circle(circle)
        old = circle.picture.name
        circle.picture.save(picture.name or "picture.jpg", picture, save=True)
        _delete_file_on_commit(old)
    return circle


def circle_picture_remove(*, actor: Resident, circle_id: int) -> Circle:
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        manager_standing(circle=circle, actor=actor)
        old = circle.picture.name
        circle.picture = ""
        circle.save(update_fields=["picture"])
        _delete_file_on_commit(old)
    return circle


def _delete_file_on_commit(name: str) -> None:
    if not name:
        return
    from django.core.files.storage import default_storage

    transaction.on_commit(lambda: default_storage.delete(name), robust=True)


def circle_close(*, actor: Resident, circle_id: int) -> Circle:
    """Close the circle (its organiser, or city staff): everything stays readable to its
    members, nothing new can be added, and the chat room is closed."""
    staff = resident_is_city_staff(actor)
    with transaction.atomic():
        # Staff close any circle, invite-only ones included (which circle_get hides from them).
        circle = _locked(
            circle_id
            if staff and isinstance(circle_id, int)
            else circle_get(circle_id=circle_id, actor=actor).pk
        )
        if not staff:
            standing = manager_standing(circle=circle, actor=actor)
            if standing.role != CircleMember.Role.ORGANISER:
                raise Forbidden(_("Only the organiser may close the circle."))
        if circle.closed_at is None:
            circle.closed_at = timezone.now()
            circle.save(update_fields=["closed_at"])
            if circle.room_id is not None:
                rooms.room_close(room=_room_for(circle))
    return circle


# --- Membership ----------------------------------------------------------------------------------


def _joiner(actor: Resident, resident_id: int | None) -> Resident:
    """Who joins: the actor, or a child of the actor (children join only through a guardian)."""
    if resident_id is None or resident_id == actor.pk:
        if actor.is_child:
            raise Forbidden(
                _("Children join circles through a guardian; please ask yours."),
                code="guardian_required",
            )
        return actor
    child = Resident.objects.filter(pk=resident_id, is_active=True).first()
    if child is None or not resident_is_guardian_of(guardian=actor, child=child):
        raise NotFound(_("No such resident."))
    if not child.is_child:
        raise Forbidden(_("Adults join circles themselves."), code="adult")
    return child


def _activate(circle: Circle, membership: CircleMember) -> CircleMember:
    membership.status = CircleMember.Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "joined_at", "role", "added_by", "via_offering"])
    _room_join(circle, membership)
    return membership


def circle_join(*, actor: Resident, circle_id: int, resident_id: int | None = None) -> CircleMember:
    """Join an open circle, accept an invitation, or ask to join a moderated one.

    A guardian joins their child (``resident_id``), and only to a circle open to children; an
    adult asks to join such a circle even when it is open, and only with a current vetting
    record (``Forbidden``, ``vetting_required``; safeguarding).
    Returns the standing: ``active``, or ``requested`` when the organisers decide.
    """
    joiner = _joiner(actor, resident_id)
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        _open_circle(circle)
        if joiner.is_child and not circle.for_children:
            raise Forbidden(_("This circle is not open to children."), code="not_for_children")
        membership = CircleMember.objects.filter(circle=circle, resident=joiner).first()
        if membership is not None:
            if membership.status == CircleMember.Status.BANNED:
                raise Forbidden(_("You cannot join this circle."), code="banned")
            if membership.status == CircleMember.Status.ACTIVE:
                raise Conflict(_("Already a member of this circle."), code="already_member")
            if membership.status == CircleMember.Status.REQUESTED:
                raise Conflict(_("Your request is waiting for the organisers."), code="requested")
        invited = membership is not None and membership.status == CircleMember.Status.INVITED
        if circle.visibility == Circle.Visibility.INVITE_ONLY and not invited:
            # The circle is visible to this actor only through a membership; without an
            # invitation there is nothing to join.
            raise Forbidden(_("This circle takes members by invitation only."), code="invite_only")
        # Refused at the request already: no organiser could approve it.
        _require_vetted_entry(circle, joiner, Participation.POST)
        if membership is None:
            membership = CircleMember(circle=circle, resident=joiner)
        membership.role = CircleMember.Role.MEMBER
        membership.via_offering = False
        if joiner.pk != actor.pk:
            membership.added_by = actor
        # Safeguarding: in a circle for children, an adult comes in only when invited or
        # approved by the (vetted) organiser or a moderator, even if it is open.
        walks_in = circle.visibility == Circle.Visibility.OPEN and (
            joiner.is_child or not circle.for_children
        )
        if invited or walks_in:
            if membership.pk is None:
                membership.status = CircleMember.Status.ACTIVE
                membership.joined_at = timezone.now()
                membership.save()
                _room_join(circle, membership)
                return membership
            return _activate(circle, membership)
        membership.status = CircleMember.Status.REQUESTED
        membership.created_at = timezone.now()
        membership.save()
        for manager in _managers(circle):
            notification_send_translated(
                resident=manager,
                kind=NOTIFY["requests"],
                title_template=gettext_lazy("%(name)s asks to join “%(circle)s”."),
                params={"name": joiner.display_name, "circle": circle.name},
                url=f"/circles/{circle.pk}/members/",
            )
    return membership


def _managers(circle: Circle) -> list[Resident]:
    return [
        m.resident
        for m in circle.memberships.filter(
            status=CircleMember.Status.ACTIVE,
            role__in=[CircleMember.Role.ORGANISER, CircleMember.Role.MODERATOR],
        ).select_related("resident")
    ]


def _standing_of(circle: Circle, resident_id: object) -> CircleMember:
    membership = (
        CircleMember.objects.select_related("resident")
        .filter(circle=circle, resident_id=resident_id)
        .first()
        if isinstance(resident_id, int)
        else None
    )
    if membership is None:
        raise NotFound(_("No such member."))
    return membership


def circle_invite(*, actor: Resident, circle_id: int, resident_id: int) -> CircleMember:
    """Invite a resident (organisers and moderators).  Someone who already asked is let in.
    Into a circle for children, only an adult with a current vetting record."""
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        manager_standing(circle=circle, actor=actor)
        _open_circle(circle)
        invitee = (
            Resident.objects.filter(pk=resident_id, is_active=True).first()
            if isinstance(resident_id, int)
            else None
        )
        # A child answers as no one at all: an organiser typing numbers must not learn which
        # belong to children.  Children join through their guardians.
        if invitee is None or invitee.is_child:
            raise NotFound(_("No such resident."))
        _require_vetted_entry(circle, invitee, Participation.POST)
        membership = CircleMember.objects.filter(circle=circle, resident=invitee).first()
        if membership is not None and membership.status == CircleMember.Status.BANNED:
            raise Conflict(_("This resident is banned from the circle."), code="banned")
        if membership is not None and membership.status == CircleMember.Status.ACTIVE:
            raise Conflict(_("Already a member of this circle."), code="already_member")
        if membership is not None and membership.status == CircleMember.Status.REQUESTED:
            membership.added_by = actor
            _activate(circle, membership)
            _tell(invitee, gettext_lazy("You are now a member of “%(circle)s”."), circle)
            return membership
        if membership is not None and membership.status == CircleMember.Status.INVITED:
            return membership
        if membership is None:
            membership = CircleMember(circle=circle, resident=invitee)
        membership.status = CircleMember.Status.INVITED
        membership.role = CircleMember.Role.MEMBER
        membership.added_by = actor
        membership.created_at = timezone.now()
        membership.save()
        _tell(invitee, gettext_lazy("You are invited to the circle “%(circle)s”."), circle)
    return membership


def _tell(resident: Resident, title: Any, circle: Circle) -> None:
    notification_send_translated(
        resident=resident,
        kind=NOTIFY["membership"],
        title_template=title,
        params={"circle": circle.name},
        url=f"/circles/{circle.pk}/",
    )


def circle_request_decide(
    *, actor: Resident, circle_id: int, resident_id: int, approve: bool
) -> CircleMember | None:
    """Approve or decline a request to join (organisers and moderators).  A declined request is
    forgotten: the resident may ask again later.  Approval cannot let an unvetted adult into
    a circle for children (``vetting_required``)."""
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        manager_standing(circle=circle, actor=actor)
        _open_circle(circle)
        membership = _standing_of(circle, resident_id)
        if membership.status != CircleMember.Status.REQUESTED:
            raise Conflict(_("There is no request from this resident."), code="no_request")
        requester = membership.resident
        people = [requester, *([membership.added_by] if membership.added_by else [])]
        if approve:
            # The request may predate the rule, or the vetting may have run out since.
            _require_vetted_entry(circle, requester, Participation.POST)
            _activate(circle, membership)
            title = gettext_lazy("You are now a member of “%(circle)s”.")
        else:
            membership.delete()
            title = gettext_lazy("Your request to join “%(circle)s” was declined.")
        for person in people:
            _tell(person, title, circle)
    return membership if approve else None


def circle_leave(
    *,
    actor: Resident,
    circle_id: int,
    resident_id: int | None = None,
    successor_id: int | None = None,
) -> None:
    """Leave the circle (or withdraw a request, or decline an invitation).  A guardian takes a
    child out.  The organiser of an open circle names a successor first, or closes it.

    A child may leave by herself, though she joins only through a guardian: leaving only
    lessens her contact with others, and a child who wants out should never have to ask.  Her
    guardians (the others, when one of them acts) are told, after the commit."""
    leaver = _joiner_or_child(actor, resident_id)
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        membership = CircleMember.objects.filter(circle=circle, resident=leaver).first()
        if membership is None or membership.status in _GONE:
            raise NotFound(_("You are not a member of this circle."), code="not_a_member")
        organising = membership.is_active and membership.role == CircleMember.Role.ORGANISER
        if organising and not circle.is_closed:
            if successor_id is None:
                raise Conflict(
                    _("Name a successor before you leave, or close the circle."),
                    code="successor_required",
                )
            _hand_on(circle, membership, successor_id)
            membership.refresh_from_db()
        _step_out(circle, membership)
        if leaver.is_child:
            for guardian in resident_guardians(resident=leaver):
                if guardian.pk != actor.pk:
                    notification_send_translated(
                        resident=guardian,
                        kind=NOTIFY["membership"],
                        title_template=gettext_lazy("%(child)s left the circle “%(circle)s”."),
                        params={"child": leaver.display_name, "circle": circle.name},
                        url=f"/circles/{circle.pk}/",
                    )


_GONE = (CircleMember.Status.BANNED, CircleMember.Status.LEFT)


def _step_out(circle: Circle, membership: CircleMember) -> None:
    """A member leaves (or is removed): the row stays as ``left``.  A request or invitation is
    simply forgotten."""
    if not membership.is_active:
        membership.delete()
        return
    membership.status = CircleMember.Status.LEFT
    membership.role = CircleMember.Role.MEMBER
    membership.via_offering = False
    membership.save(update_fields=["status", "role", "via_offering"])
    _room_leave(circle, membership.resident)


def _joiner_or_child(actor: Resident, resident_id: int | None) -> Resident:
    if resident_id is None or resident_id == actor.pk:
        return actor
    child = Resident.objects.filter(pk=resident_id).first()
    if child is None or not resident_is_guardian_of(guardian=actor, child=child):
        raise NotFound(_("No such resident."))
    return child


def circle_member_remove(
    *, actor: Resident, circle_id: int, resident_id: int, ban: bool = False
) -> CircleMember | None:
    """Remove a member, or withdraw an invitation (organisers and moderators); ``ban`` also
    keeps them out.  The organiser cannot be removed; only the organiser removes a moderator."""
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        standing = manager_standing(circle=circle, actor=actor)
        target = (
            Resident.objects.filter(pk=resident_id).first()
            if isinstance(resident_id, int)
            else None
        )
        if target is None:
            raise NotFound(_("No such member."))
        if target.pk == actor.pk:
            raise Invalid(_("To leave the circle, use “Leave”."), code="self")
        membership = CircleMember.objects.filter(circle=circle, resident=target).first()
        if (membership is None or membership.status in _GONE) and not ban:
            raise NotFound(_("No such member."))
        if membership is not None and membership.is_active:
            if membership.role == CircleMember.Role.ORGANISER:
                raise Forbidden(_("The organiser cannot be removed."), code="organiser")
            if (
                membership.role == CircleMember.Role.MODERATOR
                and standing.role != CircleMember.Role.ORGANISER
            ):
                raise Forbidden(_("Only the organiser removes a moderator."))
        if not ban:
            assert membership is not None
            _step_out(circle, membership)
            return None
        if membership is not None and membership.is_active:
            _room_leave(circle, target)
        if membership is None:
            membership = CircleMember(circle=circle, resident=target)
        membership.status = CircleMember.Status.BANNED
        membership.role = CircleMember.Role.MEMBER
        membership.via_offering = False
        membership.added_by = actor
        membership.save()
    return membership


def circle_unban(*, actor: Resident, circle_id: int, resident_id: int) -> None:
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        manager_standing(circle=circle, actor=actor)
        membership = _standing_of(circle, resident_id)
        if membership.status != CircleMember.Status.BANNED:
            raise Conflict(_("This resident is not banned."), code="not_banned")
        membership.delete()


def circle_role_set(
    *, actor: Resident, circle_id: int, resident_id: int, role: str
) -> CircleMember:
    """Make a member a moderator or a plain member (the organiser only).  A moderator of a
    circle for children needs a current vetting record."""
    if role not in (CircleMember.Role.MODERATOR, CircleMember.Role.MEMBER):
        raise Invalid(
            _("Choose moderator or member."),
            code="invalid",
            fields={"role": [_("Choose moderator or member.")]},
        )
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        standing = manager_standing(circle=circle, actor=actor)
        if standing.role != CircleMember.Role.ORGANISER:
            raise Forbidden(_("Only the organiser gives roles."))
        _open_circle(circle)
        membership = _standing_of(circle, resident_id)
        if not membership.is_active:
            raise NotFound(_("No such member."))
        if membership.role == CircleMember.Role.ORGANISER:
            raise Conflict(_("Hand the organiser role on instead."), code="organiser")
        if role == CircleMember.Role.MODERATOR and membership.resident.is_child:
            raise Forbidden(_("A child cannot moderate."), code="child_moderator")
        if role == CircleMember.Role.MODERATOR:
            _require_vetted_entry(circle, membership.resident, Participation.MODERATE)
        membership.role = role
        membership.save(update_fields=["role"])
        _room_join(circle, membership)
    return membership


def circle_organiser_hand_on(*, actor: Resident, circle_id: int, successor_id: int) -> CircleMember:
    """Hand the organiser role to another member; the old organiser stays as a moderator."""
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        standing = manager_standing(circle=circle, actor=actor)
        if standing.role != CircleMember.Role.ORGANISER:
            raise Forbidden(_("Only the organiser hands the role on."))
        _open_circle(circle)
        return _hand_on(circle, standing, successor_id)


def _hand_on(circle: Circle, organiser: CircleMember, successor_id: object) -> CircleMember:
    successor = (
        CircleMember.objects.select_related("resident")
        .filter(circle=circle, resident_id=successor_id, status=CircleMember.Status.ACTIVE)
        .first()
        if isinstance(successor_id, int)
        else None
    )
    if successor is None or successor.pk == organiser.pk:
        raise Invalid(
            _("The successor must be another member of the circle."),
            code="successor_invalid",
            fields={"successor_id": [_("Choose another member of the circle.")]},
        )
    if successor.resident.is_child:
        raise Invalid(
            _("A child cannot organise a circle."),
            code="successor_invalid",
            fields={"successor_id": [_("Choose an adult member.")]},
        )
    if circle.for_children and not resident_is_vetted(successor.resident):
        raise Forbidden(
            _("A circle open to children needs an organiser with a current vetting record."),
            code="vetting_required",
        )
    # The unique "one organiser" constraint holds at every statement: step down first.  An
    # organiser whose vetting ran out cannot stay on as a moderator where children are.
    organiser.role = (
        CircleMember.Role.MEMBER
        if circle.for_children and not resident_is_vetted(organiser.resident)
        else CircleMember.Role.MODERATOR
    )
    organiser.save(update_fields=["role"])
    successor.role = CircleMember.Role.ORGANISER
    successor.save(update_fields=["role"])
    _room_join(circle, successor)
    _room_join(circle, organiser)
    _tell(successor.resident, gettext_lazy("You are now the organiser of “%(circle)s”."), circle)
    return successor


# --- Discussions ---------------------------------------------------------------------------------


def _poster(circle_id: int, actor: Resident) -> tuple[Circle, CircleMember]:
    circle = circle_get(circle_id=circle_id, actor=actor)
    standing = member_standing(circle=circle, actor=actor)
    _open_circle(circle)
    _require_may_post(circle, actor)
    return circle, standing


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


# --- Events --------------------------------------------------------------------------------------


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
    for membership in circle.memberships.filter(status=CircleMember.Status.ACTIVE).select_related(
        "resident"
    ):
        if membership.resident_id == skip:
            continue
        notification_send_translated(
            resident=membership.resident,
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


# --- Shared resources ----------------------------------------------------------------------------


def resource_add_link(*, actor: Resident, circle_id: int, title: object, url: object) -> Resource:
    errors: dict[str, list[str]] = {}
    clean_title = _text(errors, "title", title, limit=200)
    clean_url = _text(errors, "url", url, limit=500)
    if clean_url and "url" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(clean_url)
        except ValidationError:
            errors["url"] = [_("Enter an address that starts with http:// or https://.")]
    _fail(errors)
    with transaction.atomic():
        circle, _standing = _poster(circle_id, actor)
        return Resource.objects.create(
            circle=circle, kind=Resource.Kind.LINK, title=clean_title, url=clean_url, added_by=actor
        )


def resource_add_file(
    *, actor: Resident, circle_id: int, title: object, upload: UploadedFile | IO[bytes] | None
) -> Resource:
    """Share a picture (re-encoded, EXIF/GPS dropped) or a document (members only)."""
    errors: dict[str, list[str]] = {}
    clean_title = _text(errors, "title", title, limit=200)
    if upload is None:
        errors["file"] = [_("Choose a file.")]
    _fail(errors)
    assert upload is not None
    # Checked before the file is read, so that outsiders cannot make the server do work.
    circle, _standing = _poster(circle_id, actor)
    cleaned = clean_upload(upload)
    resource = Resource(
        circle=circle,
        kind=cleaned.kind,
        title=clean_title,
        content_type=cleaned.content_type,
        size=cleaned.file.size,
        extension=cleaned.extension,
        added_by=actor,
    )
    resource.file.save(cleaned.file.name or "file", cleaned.file, save=False)
    stored = resource.file.name
    try:
        with transaction.atomic():
            circle, _standing = _poster(circle_id, actor)
            resource.circle = circle
            resource.save()
    except BaseException:
        # Nothing is left behind when the row cannot be written.
        _delete_now(stored)
        raise
    return resource


def _delete_now(name: str) -> None:
    from django.core.files.storage import default_storage

    with contextlib.suppress(OSError):
        default_storage.delete(name)


def resource_remove(*, actor: Resident, resource_id: int) -> None:
    """Remove a shared resource: whoever added it, or the organisers and moderators."""
    with transaction.atomic():
        resource = (
            Resource.objects.select_related("circle").filter(pk=resource_id).first()
            if isinstance(resource_id, int)
            else None
        )
        if resource is None:
            raise NotFound(_("No such resource."))
        circle_get(circle_id=resource.circle_id, actor=actor)
        standing = member_standing(circle=resource.circle, actor=actor)
        if resource.added_by_id != actor.pk and not standing.manages:
            raise Forbidden(_("You can only remove what you shared."), code="not_author")
        name = resource.file.name
        resource.delete()
        _delete_file_on_commit(name)


# --- Circles born from course offerings ---------------------------------------------------------


def circle_for_offering(*, offering_id: int) -> Circle | None:
    """The circle of an offering's cohort, made on first call (idempotent): named after the
    course, in the offering's district, moderated, its first lecturer organising and the others
    moderating.  Open to children when the course is.  ``None`` for an unpublished offering."""
    with transaction.atomic():
        offering = (
            Offering.objects.select_for_update()
            .select_related("course", "district")
            .filter(pk=offering_id)
            .first()
        )
        if offering is None or offering.status != Offering.Status.PUBLISHED:
            return None
        circle = Circle.objects.filter(offering=offering).first()
        if circle is not None:
            return circle
        lecturers = list(offering.lecturers.select_related("resident").order_by("pk"))
        course = offering.course
        circle = Circle.objects.create(
            name=str(offering)[:120],
            name_kana=course.title_kana[:240],
            description=course.description,
            district=offering.district,
            visibility=Circle.Visibility.MODERATED,
            for_children=course.open_to_children,
            offering=offering,
            created_by=lecturers[0].resident if lecturers else None,
        )
        CircleTopic.objects.create(circle=circle, topic=course.category)
        now = timezone.now()
        for index, lecturer in enumerate(lecturers):
            membership = CircleMember.objects.create(
                circle=circle,
                resident=lecturer.resident,
                role=CircleMember.Role.ORGANISER if index == 0 else CircleMember.Role.MODERATOR,
                status=CircleMember.Status.ACTIVE,
                joined_at=now,
            )
            _room_join(circle, membership)
        for enrolment in offering.enrolments.filter(
            status=Enrolment.Status.ENROLLED
        ).select_related("resident"):
            _cohort_join(circle, enrolment.resident, enrolment.enrolled_by_id)
    return circle


def _cohort_join(circle: Circle, resident: Resident, added_by_id: int | None) -> None:
    membership = CircleMember.objects.filter(circle=circle, resident=resident).first()
    if membership is not None and membership.status in (
        CircleMember.Status.ACTIVE,
        CircleMember.Status.BANNED,
        # They left the circle: their choice outlives any later enrolment.
        CircleMember.Status.LEFT,
    ):
        return
    if membership is None:
        membership = CircleMember(circle=circle, resident=resident)
    membership.role = CircleMember.Role.MEMBER
    membership.status = CircleMember.Status.ACTIVE
    membership.via_offering = True
    membership.added_by_id = added_by_id
    membership.joined_at = timezone.now()
    membership.save()
    # A child waits for the room until it has an adult moderator (the same rule as the course
    # room); the circle membership stands meanwhile.
    with contextlib.suppress(Invalid):
        _room_join(circle, membership)


def circle_cohort_join(*, offering_id: int, resident_id: int) -> None:
    """A resident took a seat in the offering: they join its circle (unless banned from it)."""
    with transaction.atomic():
        circle = circle_for_offering(offering_id=offering_id)
        if circle is None or circle.is_closed:
            return
        circle = _locked(circle.pk)
        enrolment = (
            Enrolment.objects.select_related("resident")
            .filter(offering_id=offering_id, resident_id=resident_id, status="enrolled")
            .first()
        )
        if enrolment is not None:
            _cohort_join(circle, enrolment.resident, enrolment.enrolled_by_id)


def circle_cohort_leave(*, offering_id: int, resident_id: int) -> None:
    """A resident gave up their seat before the end: the membership the seat brought goes too
    (one they chose themselves, or a role, stays)."""
    with transaction.atomic():
        circle = Circle.objects.filter(offering_id=offering_id).first()
        if circle is None:
            return
        circle = _locked(circle.pk)
        membership = (
            CircleMember.objects.select_related("resident")
            .filter(
                circle=circle,
                resident_id=resident_id,
                status=CircleMember.Status.ACTIVE,
                role=CircleMember.Role.MEMBER,
                via_offering=True,
            )
            .first()
        )
        if membership is not None:
            membership.delete()
            _room_leave(circle, membership.resident)


def circle_cohort_completed(*, offering_id: int, resident_ids: Iterable[int]) -> int:
    """The offering ended: those who completed it keep their membership for good (it no
    longer hangs on the enrolment).  Returns how many memberships were kept."""
    return CircleMember.objects.filter(
        circle__offering_id=offering_id,
        resident_id__in=list(resident_ids),
        status=CircleMember.Status.ACTIVE,
    ).update(via_offering=False)


def cohort_offering_ids() -> list[int]:
    """The published offerings, whose cohorts have circles (for ``circle_cohort_sync``)."""
    return list(
        Offering.objects.filter(status=Offering.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def circle_cohort_sync(*, offering_id: int) -> int:
    """Make sure a published offering has its circle with its seated cohort in it: the repair
    for a domain event that was lost (a crash between the commit and the handler).  Whoever
    left or was banned stays out.  Returns how many residents were added."""
    had_circle = Circle.objects.filter(offering_id=offering_id).exists()
    circle = circle_for_offering(offering_id=offering_id)
    if circle is None or circle.is_closed:
        return 0
    # A circle made just now came with the seated cohort already in it.
    added = 0 if had_circle else circle.memberships.filter(via_offering=True).count()
    with transaction.atomic():
        circle = _locked(circle.pk)
        # A request or an invitation is no reason to stay out: the seat lets them in, as the
        # lost event would have (``_cohort_join``).
        known = set(
            circle.memberships.filter(status__in=[CircleMember.Status.ACTIVE, *_GONE]).values_list(
                "resident_id", flat=True
            )
        )
        for enrolment in Enrolment.objects.filter(
            offering_id=offering_id, status=Enrolment.Status.ENROLLED
        ).select_related("resident"):
            if enrolment.resident_id not in known:
                _cohort_join(circle, enrolment.resident, enrolment.enrolled_by_id)
                added += 1
    return added
