"""Circles born from course offerings: the cohort's circle, kept in step with the offering's
enrolments and completions.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from campus_social.search.services import index_later
from communities.models import Circle, CircleMember, CircleTopic
from communities.services._common import _GONE, _locked, _room_attach, _room_join, _room_leave
from courses import selectors as course_selectors


def circle_for_offering(*, offering_id: int) -> Circle | None:
    """The circle of an offering's cohort, made on first call (idempotent): named after the
    course, in the offering's district, moderated, its first lecturer organising and the others
    moderating.  Open to children when the course is.  ``None`` for an unpublished offering.

    Two callers racing to make it (the published event and the repair command) are kept apart
    by ``Circle.offering``'s unique constraint, not by locking courses' row: the loser's
    savepoint rolls back and it answers the winner's circle."""
    circle = Circle.objects.filter(offering_id=offering_id).first()
    if circle is not None:
        return circle
    offering = course_selectors.cohort_offering_get(offering_id=offering_id)
    if offering is None:
        return None
    try:
        with transaction.atomic():
            circle = _cohort_circle_create(offering)
    except IntegrityError:
        return Circle.objects.filter(offering_id=offering_id).first()
    return circle


def _cohort_circle_create(offering: course_selectors.CohortOffering) -> Circle:
    lecturer_ids = offering.lecturer_ids
    circle = Circle.objects.create(
        name=offering.title[:120],
        name_kana=offering.title_kana[:240],
        description=offering.description,
        district_id=offering.district_id,
        visibility=Circle.Visibility.MODERATED,
        for_children=offering.open_to_children,
        offering_id=offering.id,
        created_by_id=lecturer_ids[0] if lecturer_ids else None,
    )
    CircleTopic.objects.create(circle=circle, topic=offering.category)
    index_later("circle", [circle.pk])
    # The cohort's one room: the course pages show it too (``offering_circle``).
    _room_attach(circle)
    now = timezone.now()
    for index, resident_id in enumerate(lecturer_ids):
        membership = CircleMember.objects.create(
            circle=circle,
            resident_id=resident_id,
            role=CircleMember.Role.ORGANISER if index == 0 else CircleMember.Role.MODERATOR,
            status=CircleMember.Status.ACTIVE,
            joined_at=now,
        )
        _room_join(circle, membership)
    seated = course_selectors.offering_seated_residents(offering_id=offering.id)
    for resident_id, enrolled_by_id in seated.items():
        _cohort_join(circle, resident_id, enrolled_by_id)
    return circle


def _cohort_join(circle: Circle, resident_id: int, added_by_id: int | None) -> None:
    membership = CircleMember.objects.filter(circle=circle, resident_id=resident_id).first()
    if membership is not None and membership.status in (
        CircleMember.Status.ACTIVE,
        CircleMember.Status.BANNED,
        # They left the circle: their choice outlives any later enrolment.
        CircleMember.Status.LEFT,
    ):
        return
    if membership is None:
        membership = CircleMember(circle=circle, resident_id=resident_id)
    membership.role = CircleMember.Role.MEMBER
    membership.status = CircleMember.Status.ACTIVE
    membership.via_offering = True
    membership.added_by_id = added_by_id
    membership.joined_at = timezone.now()
    membership.save()
    # A child may wait outside the room until it has a vetted adult moderator
    # (``Entry.AWAITS_MODERATOR``); the circle membership stands meanwhile, and the child comes
    # in when a moderator joins (``_room_join``).
    _room_join(circle, membership)


def circle_cohort_join(
    *, offering_id: int, resident_id: int, enrolled_by_id: int | None = None
) -> None:
    """A resident took a seat in the offering (``enrolment_confirmed``; its payload says who
    enrolled them): they join its circle (unless banned from it)."""
    with transaction.atomic():
        circle = circle_for_offering(offering_id=offering_id)
        if circle is None or circle.is_closed:
            return
        circle = _locked(circle.pk)
        _cohort_join(circle, resident_id, enrolled_by_id)


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
    return course_selectors.published_offering_ids()


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
        seated = course_selectors.offering_seated_residents(offering_id=offering_id)
        for resident_id, enrolled_by_id in seated.items():
            if resident_id not in known:
                _cohort_join(circle, resident_id, enrolled_by_id)
                added += 1
    return added
