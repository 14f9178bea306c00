"""Who is in a circle: joining (a guardian for a child), requests, invitations, leaving,
removing and banning, roles, handing on the organiser's role.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.identity.models import Resident
from campus_social.identity.selectors import resident_guardians
from campus_social.notifications.services import (
    notification_send_many,
    notification_send_translated,
)
from campus_social.safeguarding.selectors import (
    ActingRefusals,
    Participation,
    acting_for,
    acts_through_guardian,
    may_lead,
    resident_is_vetted,
)
from communities.models import Circle, CircleMember
from communities.selectors import circle_get, join_needs_approval, manager_standing
from communities.services._common import (
    _GONE,
    NOTIFY,
    _joiner_or_child,
    _locked,
    _open_circle,
    _require_vetted_entry,
    _room_join,
    _room_leave,
)

# Who joins: the actor, or a child of theirs (safeguarding's ``acting_for``: children join only
# through a guardian), refused in the words of circles.
_JOINING = ActingRefusals(
    child_alone=gettext_lazy("Children join circles through a guardian; please ask yours."),
    adult=gettext_lazy("Adults join circles themselves."),
    adult_code="adult",
)


def _joiner(actor: Resident, resident_id: int | None) -> Resident:
    """Who joins: the actor, or a child of the actor (children join only through a guardian)."""
    return acting_for(actor=actor, child_id=resident_id, refusals=_JOINING)


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
        if invited or not join_needs_approval(circle=circle, joiner=joiner):
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
        notification_send_many(
            recipients=_managers(circle),
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
        if invitee is None or acts_through_guardian(resident=invitee):
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
            notification_send_many(
                recipients=[g for g in resident_guardians(resident=leaver) if g.pk != actor.pk],
                kind=NOTIFY["membership"],
                title_template=gettext_lazy("%(child)s left the circle “%(circle)s”."),
                params={"child": leaver.display_name, "circle": circle.name},
                url=f"/circles/{circle.pk}/",
            )


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
        if role == CircleMember.Role.MODERATOR and not may_lead(resident=membership.resident):
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
    if not may_lead(resident=successor.resident):
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
