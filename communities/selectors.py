"""Reads of learner circles, each checked against the acting resident.

Who sees what:
- an open or moderated circle's card (name, description, figures) — every signed-in resident
  (a child: only circles open to children);
- an invite-only circle — only those in it, invited to it, or the guardian of a child in it;
  everyone else gets ``NotFound``, as if it did not exist;
- members, discussions, events and resources — active members, and guardians of a child member
  (reading only).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from typing_extensions import TypeIs

from campus_social.common.errors import Forbidden, NotFound
from campus_social.identity.models import Resident
from campus_social.identity.selectors import child_q, resident_children
from campus_social.safeguarding.selectors import (
    Participation,
    acts_through_guardian,
    child_contact,
    child_contacts,
    children_acted_for,
    may_lead,
)
from campus_social.search import services as search_services
from communities.models import Circle, CircleEvent, CircleMember, Reply, Resource, Rsvp, Thread
from courses import selectors as course_selectors
from messaging.selectors import messages_sent

ACTIVE = CircleMember.Status.ACTIVE


def _is_id(value: object) -> TypeIs[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def circle_standing(*, circle: Circle, resident: object) -> CircleMember | None:
    """The resident's row in the circle (any status), or ``None``."""
    if not isinstance(resident, Resident):
        return None
    return CircleMember.objects.filter(circle=circle, resident=resident).first()


def circle_standings(*, resident: Resident, circles: Iterable[Circle]) -> dict[int, str]:
    """The resident's own status in each of ``circles`` (by circle id), in one query: for a
    directory page that marks the circles one is in."""
    return dict(
        CircleMember.objects.filter(resident=resident, circle__in=list(circles)).values_list(
            "circle_id", "status"
        )
    )


def _guards_a_member(circle: Circle, actor: Resident) -> bool:
    return CircleMember.objects.filter(
        circle=circle,
        status=ACTIVE,
        resident__in=resident_children(resident=actor),
    ).exists()


def _visible_filter(actor: Resident) -> Q:
    """Circles the actor may know exist."""
    in_it = CircleMember.objects.filter(
        circle=OuterRef("pk"),
        resident=actor,
        status__in=[ACTIVE, CircleMember.Status.INVITED, CircleMember.Status.REQUESTED],
    )
    child_in_it = CircleMember.objects.filter(
        circle=OuterRef("pk"), status=ACTIVE, resident__in=resident_children(resident=actor)
    )
    listed = ~Q(visibility=Circle.Visibility.INVITE_ONLY)
    if actor.is_child:
        listed &= Q(for_children=True)
    return listed | Q(Exists(in_it)) | Q(Exists(child_in_it))


def circle_get(*, circle_id: object, actor: object) -> Circle:
    """The circle, when the actor may know of it; ``NotFound`` otherwise."""
    if not isinstance(actor, Resident) or not _is_id(circle_id):
        raise NotFound(_("No such circle."))
    circle = (
        Circle.objects.filter(pk=circle_id)
        .filter(_visible_filter(actor))
        .select_related("district", "offering", "room")
        .first()
    )
    if circle is None:
        raise NotFound(_("No such circle."))
    return circle


def offering_circle(*, offering_id: object, actor: object) -> Circle | None:
    """The circle of an offering's cohort, when the actor may know of it, or ``None``: its room
    is the cohort's one chat, which the offering's page shows its members too."""
    if not isinstance(actor, Resident) or not _is_id(offering_id):
        return None
    return (
        Circle.objects.filter(offering_id=offering_id)
        .filter(_visible_filter(actor))
        .select_related("room")
        .first()
    )


def member_standing(*, circle: Circle, actor: Resident, reading: bool = False) -> CircleMember:
    """The actor's active membership.  With ``reading``, a guardian of a child member passes
    too (as an unsaved standing with the member role); they read but do not post."""
    standing = circle_standing(circle=circle, resident=actor)
    if standing is not None and standing.is_active:
        return standing
    if reading and _guards_a_member(circle, actor):
        return CircleMember(circle=circle, resident=actor, status=ACTIVE)
    raise Forbidden(
        _("Only members of the circle can do this. Join it first."), code="not_a_member"
    )


def circle_child_members(*, circle: Circle) -> list[Resident]:
    """The circle's active child members, asked of the database by birth date (one query that
    loads only the children): whom safeguarding's rule is asked about."""
    members = circle.memberships.filter(child_q(path="resident__"), status=ACTIVE).select_related(
        "resident"
    )
    return [member.resident for member in members]


def join_needs_approval(*, circle: Circle, joiner: Resident) -> bool:
    """Whether a request to join waits for the organisers (an invitation aside): a moderated
    circle, and — safeguarding — an adult asking into a circle for children, even an open one.
    ``circle_join`` and the pages both ask this."""
    walks_in = circle.visibility == Circle.Visibility.OPEN and (
        not circle.for_children or acts_through_guardian(resident=joiner)
    )
    return not walks_in


@dataclass(frozen=True)
class WardStanding:
    """A child the viewer acts for (safeguarding's ``children_acted_for``) and their row in the
    circle, if any."""

    resident: Resident
    standing: CircleMember | None
    may_join: bool  # offered in "Join with my child": ``circle_join`` would take it

    @property
    def may_leave(self) -> bool:
        """Taken out of the circle (a member) or the request withdrawn (``circle_leave``)."""
        return self.standing is not None and self.standing.status in (
            ACTIVE,
            CircleMember.Status.REQUESTED,
        )


@dataclass(frozen=True)
class MemberAbilities:
    """What the viewer may do to one resident's row in the circle (the members page)."""

    member: CircleMember
    is_me: bool
    may_remove: bool  # remove or ban (``circle_member_remove``)
    may_make_moderator: bool  # ``circle_role_set`` to moderator
    may_make_member: bool  # ``circle_role_set`` back to member
    may_succeed: bool  # could take the organiser role from the viewer (``_hand_on``)
    may_decide: bool  # a request the viewer may answer (``circle_request_decide``)
    may_approve: bool  # ... and approve: the requester may take part (safeguarding)

    @property
    def changes_role(self) -> bool:
        return self.may_make_moderator or self.may_make_member


@dataclass(frozen=True)
class CircleAbilities:
    """What the viewer may do in a circle, as the services decide it: the pages render these
    flags and never re-derive them.  A button shown is a button the service takes."""

    circle: Circle
    resident: Resident
    standing: CircleMember | None  # the viewer's own row, whatever its status
    is_member: bool  # an active member
    reads: bool  # members, discussions, meetings, files: members, and guardians of a child member
    may_post: bool  # start or answer a discussion, share a resource
    manages: bool  # organiser or moderator
    organises: bool
    may_join: bool  # join, ask to join or accept an invitation: ``circle_join`` would take it
    join_asks: bool  # a request would wait for the organisers (``join_needs_approval``)
    joins_through_guardian: bool  # a child: a guardian joins them
    wards: tuple[WardStanding, ...]  # the viewer's children, in a circle for children
    wards_join_asks: bool  # a child's request would wait for the organisers
    child_members: tuple[Resident, ...]  # whom safeguarding's rule is asked about

    @property
    def resident_id(self) -> int:
        return self.resident.pk

    @property
    def may_close(self) -> bool:
        """The organiser closes an open circle (``circle_close``)."""
        return self.organises and not self.circle.is_closed

    @property
    def may_hand_on(self) -> bool:
        """The organiser of an open circle hands the role on, and names a successor to leave
        (``circle_organiser_hand_on``, ``circle_leave``)."""
        return self.organises and not self.circle.is_closed

    @property
    def may_invite(self) -> bool:
        """Organisers and moderators of an open circle invite (``circle_invite``)."""
        return self.manages and not self.circle.is_closed

    @property
    def joinable_wards(self) -> list[Resident]:
        return [ward.resident for ward in self.wards if ward.may_join]

    def may_remove(self, author_id: int | None) -> bool:
        """One's own post, or anyone's for those who manage the circle."""
        return self.is_member and (author_id == self.resident_id or self.manages)

    def on_members(self, members: Iterable[CircleMember]) -> list[MemberAbilities]:
        """What the viewer may do to each of these rows (members and requests), in at most two
        queries whatever their number: who could moderate or organise where children are is
        safeguarding's ``child_contacts``."""
        members = list(members)
        open_circle = not self.circle.is_closed
        levels = (
            child_contacts(
                residents=[member.resident for member in members],
                children=self.child_members,
                for_children=self.circle.for_children,
            )
            if self.manages and members
            else {}
        )

        def could(member: CircleMember, level: Participation) -> bool:
            return levels.get(member.resident_id, Participation.NONE) >= level

        def may_lead_here(member: CircleMember) -> bool:
            return may_lead(resident=member.resident) and could(member, Participation.MODERATE)

        rows = []
        for member in members:
            may_decide = (
                self.manages and open_circle and member.status == CircleMember.Status.REQUESTED
            )
            is_me = member.resident_id == self.resident_id
            active_other = member.is_active and not is_me
            below_organiser = member.role != CircleMember.Role.ORGANISER
            organising_other = self.organises and open_circle and active_other and below_organiser
            rows.append(
                MemberAbilities(
                    member=member,
                    is_me=is_me,
                    may_remove=self.manages
                    and active_other
                    and below_organiser
                    and (self.organises or member.role == CircleMember.Role.MEMBER),
                    may_make_moderator=organising_other
                    and member.role == CircleMember.Role.MEMBER
                    and may_lead_here(member),
                    may_make_member=organising_other and member.role == CircleMember.Role.MODERATOR,
                    may_succeed=organising_other and may_lead_here(member),
                    may_decide=may_decide,
                    may_approve=may_decide and could(member, Participation.POST),
                )
            )
        return rows


def circle_abilities(*, circle: Circle, actor: Resident) -> CircleAbilities:
    """What ``actor`` may do in ``circle`` — a member, a guardian reading along, anyone who
    may see it.  Each flag follows the service that would act: ``may_post`` the posting
    services (a member, an open circle and, where children are members, safeguarding's rule —
    an adult's vetting current today); ``may_join`` ``circle_join`` (the same rule for an adult
    asking into a circle for children); the wards safeguarding's ``acting_for``."""
    standing = circle_standing(circle=circle, resident=actor)
    is_member = standing is not None and standing.is_active
    children = circle_child_members(circle=circle)
    # Asked as the services ask it: entering a circle meant for children even before any has
    # joined (``_require_vetted_entry``); posting only where children are members.
    contact = child_contact(resident=actor, children=children, for_children=circle.for_children)
    posting = contact if children else child_contact(resident=actor, children=())
    through_guardian = acts_through_guardian(resident=actor)
    status = standing.status if standing is not None else None
    invited = status == CircleMember.Status.INVITED
    open_circle = not circle.is_closed
    may_join = (
        open_circle
        and not through_guardian
        and status not in (ACTIVE, CircleMember.Status.BANNED, CircleMember.Status.REQUESTED)
        and (invited or circle.visibility != Circle.Visibility.INVITE_ONLY)
        and contact >= Participation.POST
    )
    wards = _wards(circle, actor) if circle.for_children else ()
    return CircleAbilities(
        circle=circle,
        resident=actor,
        standing=standing,
        is_member=is_member,
        reads=is_member or _guards_a_member(circle, actor),
        may_post=is_member and open_circle and posting >= Participation.POST,
        manages=standing is not None and standing.manages,
        organises=is_member
        and standing is not None
        and standing.role == CircleMember.Role.ORGANISER,
        may_join=may_join,
        join_asks=join_needs_approval(circle=circle, joiner=actor),
        joins_through_guardian=through_guardian,
        wards=wards,
        wards_join_asks=any(
            join_needs_approval(circle=circle, joiner=ward.resident) for ward in wards
        ),
        child_members=tuple(children),
    )


def _wards(circle: Circle, actor: Resident) -> tuple[WardStanding, ...]:
    """The actor's children and their rows in a circle for children.  A child joins an open or
    moderated one (never by invitation), unless already in it, asked, or banned."""
    children = list(children_acted_for(actor=actor))
    if not children:
        return ()
    rows = {
        member.resident_id: member
        for member in CircleMember.objects.filter(circle=circle, resident__in=children)
    }
    joinable = not circle.is_closed and circle.visibility != Circle.Visibility.INVITE_ONLY
    wards = []
    for child in children:
        row = rows.get(child.pk)
        wards.append(
            WardStanding(
                resident=child,
                standing=row,
                may_join=joinable and (row is None or row.status == CircleMember.Status.LEFT),
            )
        )
    return tuple(wards)


def manager_standing(*, circle: Circle, actor: Resident) -> CircleMember:
    """The actor's membership when they organise or moderate the circle."""
    standing = member_standing(circle=circle, actor=actor)
    if not standing.manages:
        raise Forbidden(
            _("Only the circle's organiser and moderators can do this."), code="not_a_moderator"
        )
    return standing


# --- Liveliness ---------------------------------------------------------------------------------


def _last_event_held(now: datetime) -> Subquery:
    return Subquery(
        CircleEvent.objects.filter(
            circle=OuterRef("pk"), cancelled_at__isnull=True, starts_at__lte=now
        )
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )


def _last_session_held(now: datetime) -> Subquery:
    return course_selectors.offering_last_session_held(
        offering_ref=OuterRef("offering_id"), now=now
    )


def with_liveliness(circles: QuerySet[Circle], *, now: datetime | None = None) -> QuerySet[Circle]:
    """Annotate what ``Circle.last_met_at``/``last_talked_at`` are computed from: the last
    circle event and course session held, the newest post and the newest chat message."""
    now = now or timezone.now()
    return circles.annotate(
        last_event_at=_last_event_held(now),
        last_session_at=_last_session_held(now),
        last_message_at=Subquery(
            Circle.objects.filter(pk=OuterRef("pk")).values("room__last_message_at")[:1]
        ),
    )


def last_met_at(circle: Circle) -> datetime | None:
    """When the circle last met: a circle event or a session of its course (annotated)."""
    moments = [getattr(circle, "last_event_at", None), getattr(circle, "last_session_at", None)]
    return max((m for m in moments if m is not None), default=None)


def last_talked_at(circle: Circle) -> datetime | None:
    """When the circle last talked: a discussion post or a chat message (annotated)."""
    moments = [circle.last_posted_at, getattr(circle, "last_message_at", None)]
    return max((m for m in moments if m is not None), default=None)


def _active_since(since: datetime, now: datetime) -> Q:
    met = CircleEvent.objects.filter(
        circle=OuterRef("pk"), cancelled_at__isnull=True, starts_at__gte=since, starts_at__lte=now
    )
    session = course_selectors.offering_sessions_held(
        offering_ref=OuterRef("offering_id"), now=now, since=since
    )
    return (
        Q(Exists(met))
        | Q(Exists(session))
        | Q(last_posted_at__gte=since)
        | Q(room__last_message_at__gte=since)
    )


# --- The directory and one's own circles -------------------------------------------------------


@dataclass(frozen=True)
class CircleFilters:
    topic: str = ""
    district: str = ""  # the district's slug
    active_within_days: int | None = None
    for_children: bool | None = None
    query: str = ""


def circle_directory(*, actor: Resident, filters: CircleFilters | None = None) -> QuerySet[Circle]:
    """Circles the actor may know of and that are not closed, with member counts and their
    liveliness annotated, by kana reading — or, with words to find (``filters.query``), best
    match first as search ranks them (raises ``SearchUnavailable`` when it cannot be reached)."""
    filters = filters or CircleFilters()
    now = timezone.now()
    circles = (
        Circle.objects.filter(closed_at__isnull=True)
        .filter(_visible_filter(actor))
        .select_related("district")
        .prefetch_related("topics")
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=ACTIVE)))
        .order_by("name_kana", "id")
    )
    if filters.topic:
        circles = circles.filter(
            pk__in=Circle.objects.filter(topics__topic=filters.topic).values("pk")
        )
    if filters.district:
        circles = circles.filter(district__slug=filters.district)
    if filters.for_children is not None:
        circles = circles.filter(for_children=filters.for_children)
    if filters.active_within_days:
        circles = circles.filter(
            _active_since(now - timedelta(days=filters.active_within_days), now)
        )
    if filters.query.strip():
        # Words are search's to match (names, readings, topics, descriptions, in kana and romaji
        # too): it answers the circles' ids best first, and these filters keep theirs.
        ranked = search_services.ranked_ids(text=filters.query, viewer=actor, kind="circle")
        circles = search_services.in_ranked_order(circles, ranked)
    return with_liveliness(circles, now=now)


def circle_detail(*, circle_id: object, actor: object) -> Circle:
    """One circle for its page: visible to the actor, with counts and liveliness annotated."""
    circle = circle_get(circle_id=circle_id, actor=actor)
    return with_liveliness(
        Circle.objects.filter(pk=circle.pk)
        .select_related("district", "offering__course", "room")
        .prefetch_related("topics")
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=ACTIVE)))
    ).get()


def my_circles(*, resident: Resident) -> QuerySet[CircleMember]:
    """The resident's standings (member, invited, asked) and those of their children, by the
    circle's kana reading; closed circles stay listed for their members."""
    return (
        CircleMember.objects.filter(
            Q(resident=resident) | Q(resident__in=resident_children(resident=resident)),
            status__in=[ACTIVE, CircleMember.Status.INVITED, CircleMember.Status.REQUESTED],
        )
        .select_related("circle", "circle__district", "resident")
        .order_by("circle__name_kana", "circle_id", "resident_id")
    )


# --- Inside a circle -----------------------------------------------------------------------------


def circle_members(*, circle_id: object, actor: Resident) -> QuerySet[CircleMember]:
    """Active members, organiser first.  (Children show by given name: ``display_name``.)"""
    circle = circle_get(circle_id=circle_id, actor=actor)
    member_standing(circle=circle, actor=actor, reading=True)
    # Roles sort by rank, not by their words ("member" < "organiser" alphabetically).
    rank = Case(
        When(role=CircleMember.Role.ORGANISER, then=Value(0)),
        When(role=CircleMember.Role.MODERATOR, then=Value(1)),
        default=Value(2),
    )
    return (
        circle.memberships.filter(status=ACTIVE)
        .select_related("resident")
        .order_by(rank, "resident__name_kana", "id")
    )


def circle_pending(*, circle_id: object, actor: Resident) -> QuerySet[CircleMember]:
    """Requests, invitations and bans, for the organisers and moderators."""
    circle = circle_get(circle_id=circle_id, actor=actor)
    manager_standing(circle=circle, actor=actor)
    return (
        circle.memberships.filter(
            status__in=[
                CircleMember.Status.REQUESTED,
                CircleMember.Status.INVITED,
                CircleMember.Status.BANNED,
            ]
        )
        .select_related("resident", "added_by")
        .order_by("status", "created_at", "id")
    )


def _readable(circle_id: object, actor: Resident) -> Circle:
    circle = circle_get(circle_id=circle_id, actor=actor)
    member_standing(circle=circle, actor=actor, reading=True)
    return circle


def thread_list(*, circle_id: object, actor: Resident) -> QuerySet[Thread]:
    circle = _readable(circle_id, actor)
    return circle.threads.filter(removed_at__isnull=True).select_related("author")


def thread_detail(*, circle_id: object, thread_id: object, actor: Resident) -> Thread:
    """One discussion of the circle in the address.  The actor is judged against that circle
    (``NotFound`` / ``Forbidden`` as for its list); an id of another circle is ``NotFound``."""
    circle = _readable(circle_id, actor)
    thread = (
        circle.threads.filter(pk=thread_id, removed_at__isnull=True)
        .select_related("circle", "author")
        .first()
        if _is_id(thread_id)
        else None
    )
    if thread is None:
        raise NotFound(_("No such discussion."))
    return thread


def reply_list(*, thread: Thread) -> QuerySet[Reply]:
    """The replies of a thread the caller already read with ``thread_detail``."""
    return thread.replies.filter(removed_at__isnull=True).select_related("author")


def reply_get(*, thread: Thread, reply_id: object) -> Reply:
    """One reply of a thread the caller already read with ``thread_detail``."""
    reply = reply_list(thread=thread).filter(pk=reply_id).first() if _is_id(reply_id) else None
    if reply is None:
        raise NotFound(_("No such reply."))
    return reply


def event_list(
    *, circle_id: object, actor: Resident, upcoming: bool | None = None
) -> QuerySet[CircleEvent]:
    """The circle's events with their RSVP counts; ``upcoming`` True: not yet over (soonest
    first); False: over (latest first); None: all, by start."""
    circle = _readable(circle_id, actor)
    now = timezone.now()
    events = circle.events.annotate(
        coming=Count("rsvps", filter=Q(rsvps__answer=Rsvp.Answer.YES)),
        maybe=Count("rsvps", filter=Q(rsvps__answer=Rsvp.Answer.MAYBE)),
    )
    if upcoming is True:
        return events.filter(ends_at__gte=now).order_by("starts_at", "id")
    if upcoming is False:
        return events.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    return events.order_by("starts_at", "id")


def event_detail(*, circle_id: object, event_id: object, actor: Resident) -> CircleEvent:
    """One meeting of the circle in the address, with its counts (checked as ``thread_detail``)."""
    event = (
        event_list(circle_id=circle_id, actor=actor).filter(pk=event_id).select_related("circle")
        if _is_id(event_id)
        else None
    )
    found = event.first() if event is not None else None
    if found is None:
        raise NotFound(_("No such event."))
    return found


def event_rsvps(*, event: CircleEvent) -> QuerySet[Rsvp]:
    """Who answered, for an event the caller already read with ``event_detail``."""
    return event.rsvps.select_related("resident").order_by("answer", "answered_at", "id")


def rsvp_of(*, event: CircleEvent, resident: Resident) -> Rsvp | None:
    return event.rsvps.filter(resident=resident).first()


def resource_list(*, circle_id: object, actor: Resident) -> QuerySet[Resource]:
    circle = _readable(circle_id, actor)
    return circle.resources.select_related("added_by")


def resource_get(*, circle_id: object, resource_id: object, actor: Resident) -> Resource:
    """One resource of the circle in the address (to download its file), checked as
    ``thread_detail``."""
    resource = (
        resource_list(circle_id=circle_id, actor=actor).filter(pk=resource_id).first()
        if _is_id(resource_id)
        else None
    )
    if resource is None:
        raise NotFound(_("No such resource."))
    return resource


# --- Circles born from courses: do they live on? -----------------------------------------------


@dataclass(frozen=True)
class CircleSurvival:
    """Of the circles whose course ended at least ``weeks`` weeks ago, how many still met or
    talked ``weeks`` weeks or more after their course's last session."""

    weeks: int
    ended: int
    alive: int

    @property
    def share(self) -> float | None:
        return None if self.ended == 0 else self.alive / self.ended


def course_circles_alive(*, weeks: int, now: datetime | None = None) -> QuerySet[Circle]:
    """Circles born from a course that ended at least ``weeks`` weeks before ``now`` and that,
    ``weeks`` weeks or more after that end (and by ``now``), held an event, had a discussion
    post or a chat message.  What the city's dashboard counts."""
    now = now or timezone.now()
    horizon = timedelta(weeks=weeks)
    ended = course_circles_ended(weeks=weeks, now=now)
    mark = OuterRef("offering__last_session_ends_at")
    met_after = CircleEvent.objects.filter(
        circle=OuterRef("pk"),
        cancelled_at__isnull=True,
        starts_at__gte=mark + horizon,
        starts_at__lte=now,
    )
    # A post or message a moderator removed is no sign of life.
    posted_after = Thread.objects.filter(
        circle=OuterRef("pk"),
        created_at__gte=mark + horizon,
        created_at__lte=now,
        removed_at__isnull=True,
    )
    replied_after = Reply.objects.filter(
        thread__circle=OuterRef("pk"),
        created_at__gte=mark + horizon,
        created_at__lte=now,
        removed_at__isnull=True,
    )
    talked_after = messages_sent(room_id=OuterRef("room_id"), after=mark + horizon, until=now)
    return ended.filter(
        Q(Exists(met_after))
        | Q(Exists(posted_after))
        | Q(Exists(replied_after))
        | Q(Exists(talked_after))
    )


def course_circles_ended(*, weeks: int, now: datetime | None = None) -> QuerySet[Circle]:
    """Circles born from a published course offering whose last session ended at least
    ``weeks`` weeks before ``now``."""
    now = now or timezone.now()
    return Circle.objects.filter(
        offering__isnull=False,
        offering__status="published",
        offering__last_session_ends_at__lte=now - timedelta(weeks=weeks),
    )


def course_circle_survival(*, weeks: int, now: datetime | None = None) -> CircleSurvival:
    now = now or timezone.now()
    return CircleSurvival(
        weeks=weeks,
        ended=course_circles_ended(weeks=weeks, now=now).count(),
        alive=course_circles_alive(weeks=weeks, now=now).count(),
    )
