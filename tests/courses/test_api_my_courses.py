"""What "my courses" shows, over the API: the courses I and my children completed
(``GET /api/v1/me/completions/``) and our next sessions (``GET /api/v1/me/course-sessions/``)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from courses import services
from courses.models import Attendance, Offering
from tests.courses.factories import CourseFactory, EnrolmentFactory, OfferingFactory
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def completed(*residents, title="はじめての書道", days_ago=7):
    """An offering that ended ``days_ago`` days ago, attended in full by ``residents``, with its
    completions recorded."""
    last = timezone.now() - timedelta(days=days_ago)
    offering = OfferingFactory(
        course=CourseFactory(title=title),
        term="2026 春",
        sessions=[last - timedelta(weeks=1), last],
        enrolment_opens_at=last - timedelta(weeks=4),
        enrolment_closes_at=last - timedelta(weeks=2),
    )
    for resident in residents:
        EnrolmentFactory(offering=offering, resident=resident)
        for session in offering.sessions.all():
            Attendance.objects.create(session=session, resident=resident, method="roster")
    services.offering_record_completions(offering_id=offering.pk)
    return offering


def test_a_resident_reads_the_courses_they_and_their_child_completed_newest_first(signed_in):
    guardian, child, stranger = ResidentFactory(), ChildFactory(), ResidentFactory()
    GuardianLinkFactory(guardian=guardian, child=child)
    older = completed(guardian, title="俳句入門", days_ago=30)
    newer = completed(child, stranger, title="親子で木工", days_ago=3)
    completed(stranger, title="ほかの人の講座")

    response = signed_in(guardian).get("/api/v1/me/completions/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["offering"]["id"], first["resident"]["id"]) == (newer.pk, child.pk)
    assert (second["offering"]["id"], second["resident"]["id"]) == (older.pk, guardian.pk)
    assert first["offering"]["title"] == "親子で木工"
    assert first["offering"]["term"] == "2026 春"
    assert (first["sessions_attended"], first["sessions_held"]) == (2, 2)
    assert first["completed_at"]


def test_a_child_is_not_shown_their_guardians_completions(signed_in):
    guardian, child = ResidentFactory(), ChildFactory()
    GuardianLinkFactory(guardian=guardian, child=child)
    completed(guardian)

    assert signed_in(child).get("/api/v1/me/completions/").json()["count"] == 0


def test_anonymous_callers_are_refused_completions():
    assert APIClient().get("/api/v1/me/completions/").status_code in (401, 403)


@pytest.mark.parametrize("rows", [2, 12])
def test_my_completions_cost_the_same_queries_however_many_there_are(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each completion's offering, course, district or resident per row."""
    guardian, child = ResidentFactory(), ChildFactory()
    GuardianLinkFactory(guardian=guardian, child=child)
    for n in range(rows):
        completed(child if n % 2 else guardian, title=f"講座 {n}")
    client = signed_in(guardian)

    # session, resident, count, page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/me/completions/", {"page_size": 100})

    assert len(response.json()["results"]) == rows


def test_a_resident_reads_the_next_sessions_of_their_and_their_childs_courses_soonest_first(
    signed_in,
):
    guardian, child, stranger = ResidentFactory(), ChildFactory(), ResidentFactory()
    GuardianLinkFactory(guardian=guardian, child=child)
    soon = timezone.now() + timedelta(days=2)
    shared = OfferingFactory(capacity=5, sessions=[soon, soon + timedelta(weeks=1)])
    mine = OfferingFactory(capacity=5, sessions=[soon + timedelta(days=1)])
    services.enrolment_create(actor=guardian, offering_id=shared.pk)
    services.enrolment_create(actor=guardian, offering_id=shared.pk, resident_id=child.pk)
    services.enrolment_create(actor=guardian, offering_id=mine.pk)
    services.enrolment_create(actor=stranger, offering_id=mine.pk)
    left = OfferingFactory(capacity=5, sessions=[soon])
    services.enrolment_create(actor=guardian, offering_id=left.pk)
    services.enrolment_cancel(actor=guardian, offering_id=left.pk)
    lecturer = mine.course.owner.resident
    services.session_cancel(actor=lecturer, session_id=mine.sessions.get().pk)

    response = signed_in(guardian).get("/api/v1/me/course-sessions/")

    assert response.status_code == 200
    rows = [
        (row["offering"]["id"], row["resident"]["id"], row["cancelled_at"] is not None)
        for row in response.json()["results"]
    ]
    # Soonest first; a session both of us attend is listed for each (the guardian was made
    # first, so comes first).
    assert rows == [
        (shared.pk, guardian.pk, False),
        (shared.pk, child.pk, False),
        (mine.pk, guardian.pk, True),
        (shared.pk, guardian.pk, False),
        (shared.pk, child.pk, False),
    ]
    assert response.json()["results"][0]["offering"]["title"] == shared.course.title


def test_sessions_already_over_or_of_a_draft_are_not_among_the_next(signed_in):
    resident = ResidentFactory()
    past = OfferingFactory(sessions=[timezone.now() - timedelta(days=3)])
    EnrolmentFactory(offering=past, resident=resident)
    draft = OfferingFactory(status=Offering.Status.DRAFT)
    EnrolmentFactory(offering=draft, resident=resident)

    assert signed_in(resident).get("/api/v1/me/course-sessions/").json()["count"] == 0


@pytest.mark.parametrize("rows", [2, 12])
def test_my_next_sessions_cost_the_same_queries_however_many_there_are(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each session's offering, course or district, or its learner, per
    row."""
    guardian, child = ResidentFactory(), ChildFactory()
    GuardianLinkFactory(guardian=guardian, child=child)
    for n in range(rows):
        offering = OfferingFactory(capacity=5)
        learner = child if n % 2 else guardian
        EnrolmentFactory(offering=offering, resident=learner)
    client = signed_in(guardian)

    # session, resident, children, sessions
    with django_assert_num_queries(4):
        response = client.get("/api/v1/me/course-sessions/", {"page_size": 100})

    assert len(response.json()["results"]) == rows
