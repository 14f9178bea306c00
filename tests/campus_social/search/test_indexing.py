"""The index follows the services after each commit: a change that commits is found (or no
longer found) at once; a change that rolls back never reaches the index."""

from contextlib import suppress
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from campus_social.search import services as search
from communities import services as community_services
from communities.models import Circle
from courses import services as course_services
from courses.models import Lecturer
from tests.communities.factories import make_circle, organiser_of
from tests.communities.program_builders import coordinator_of, program_values, school
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import ResidentFactory, make_city_staff

pytestmark = pytest.mark.django_db


def found(text: str, viewer=None, kind: str = "offering", **filters: str) -> set[int]:
    results = search.search(text=text, viewer=viewer, kinds=(kind,), filters=filters)
    return {hit.object_id for hit in results.hits}


class _Undone(Exception):
    pass


def _manager(offering):
    return offering.lecturers.get().resident


def test_an_offering_is_found_once_a_change_to_it_commits_and_never_for_a_rollback(
    django_capture_on_commit_callbacks,
):
    offering = OfferingFactory(course=CourseFactory(title="朝の太極拳"))  # not indexed yet
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        suppress(_Undone),
        transaction.atomic(),
    ):
        course_services.offering_update(
            actor=_manager(offering), offering_id=offering.pk, venue="川原公民館"
        )
        raise _Undone
    assert callbacks == []
    assert found("太極拳") == set()

    with django_capture_on_commit_callbacks(execute=True):
        course_services.offering_update(
            actor=_manager(offering), offering_id=offering.pk, venue="川原公民館"
        )
    assert found("太極拳") == {offering.pk}
    assert found("川原公民館") == {offering.pk}


def test_publishing_makes_an_offering_and_its_lecturer_findable_and_cancelling_removes_it(
    django_capture_on_commit_callbacks,
):
    lecturer = LecturerFactory(display_name="墨田 一郎", name_kana="すみだ いちろう")
    offering = OfferingFactory(
        course=CourseFactory(title="はじめての書道", owner=lecturer, audience="adults"),
        status="draft",
    )
    with django_capture_on_commit_callbacks(execute=True):
        course_services.offering_publish(actor=lecturer.resident, offering_id=offering.pk)
    assert found("しょどう") == {offering.pk}
    assert found("すみだ") == {offering.pk}
    assert found("書道", kind="lecturer") == {lecturer.pk}

    with django_capture_on_commit_callbacks(execute=True):
        course_services.offering_cancel(actor=lecturer.resident, offering_id=offering.pk)
    assert found("しょどう") == set()


def test_moving_a_session_moves_the_offering_to_its_new_weekday(
    django_capture_on_commit_callbacks,
):
    monday = timezone.localtime() + timedelta(days=7 - timezone.localtime().weekday())
    monday = monday.replace(hour=10, minute=0, second=0, microsecond=0)
    offering = OfferingFactory(course=CourseFactory(title="ペン字"), sessions=[monday])
    session = offering.sessions.get()
    with django_capture_on_commit_callbacks(execute=True):
        course_services.session_update(
            actor=_manager(offering),
            session_id=session.pk,
            starts_at=monday + timedelta(days=2),
            ends_at=monday + timedelta(days=2, hours=1),
        )
    assert found("ペン字", weekday="3") == {offering.pk}
    assert found("ペン字", weekday="1") == set()


def test_an_approved_lecturer_is_found_by_name(django_capture_on_commit_callbacks):
    lecturer = LecturerFactory(
        display_name="中村 美穂", name_kana="なかむら みほ", status=Lecturer.Status.PENDING
    )
    with django_capture_on_commit_callbacks(execute=True):
        course_services.lecturer_decide(
            actor=make_city_staff(), lecturer_id=lecturer.pk, approve=True
        )
    assert found("ナカムラ", kind="lecturer") == {lecturer.pk}


def test_a_circle_is_found_when_made_hidden_when_invite_only_and_gone_when_closed(
    django_capture_on_commit_callbacks,
):
    outsider, invited = ResidentFactory(), ResidentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        circle = make_circle(name="東山さんぽの会", name_kana="ひがしやまさんぽのかい")
    organiser = organiser_of(circle)
    assert found("散歩", outsider, kind="circle") == {circle.pk}
    assert found("散歩", None, kind="circle") == set()  # the directory is for residents

    with django_capture_on_commit_callbacks(execute=True):
        community_services.circle_update(
            actor=organiser, circle_id=circle.pk, visibility=Circle.Visibility.INVITE_ONLY
        )
        community_services.circle_invite(
            actor=organiser, circle_id=circle.pk, resident_id=invited.pk
        )
    assert found("さんぽ", outsider, kind="circle") == set()
    assert found("さんぽ", invited, kind="circle") == {circle.pk}
    assert found("さんぽ", organiser, kind="circle") == {circle.pk}

    with django_capture_on_commit_callbacks(execute=True):
        community_services.circle_close(actor=organiser, circle_id=circle.pk)
    assert found("さんぽ", organiser, kind="circle") == set()


def test_a_program_is_found_by_adults_once_published(django_capture_on_commit_callbacks):
    organisation = school()
    coordinator = coordinator_of(organisation)
    adult = ResidentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        program = community_services.program_create(
            actor=coordinator,
            school_id=organisation.pk,
            values=program_values(title="むかしあそびの会", title_kana="むかしあそびのかい"),
        )
    assert found("むかしあそび", coordinator, kind="program") == {program.pk}
    assert found("むかしあそび", adult, kind="program") == set()

    with django_capture_on_commit_callbacks(execute=True):
        community_services.program_publish(actor=coordinator, program_id=program.pk)
    assert found("むかしあそび", adult, kind="program") == {program.pk}
