"""Work for a whole cohort costs a fixed number of queries, however many are enrolled: it runs
under the offering's row lock, so a per-resident loop would hold every enrolment waiting."""

import pytest

from campus_social.notifications.models import Notification, NotificationPreference
from courses import services
from courses.models import Audience, Enrolment, Offering
from tests.courses.factories import CourseFactory, EnrolmentFactory, OfferingFactory
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def cohort_of(size: int) -> Offering:
    """A published offering with ``size`` enrolled: half adults (one reading English, one told
    by email too), half children enrolled by their guardian."""
    offering = OfferingFactory(course=CourseFactory(audience=Audience.ALL), capacity=size)
    for number in range(size):
        if number % 2:
            guardian = ResidentFactory()
            child = ChildFactory()
            GuardianLinkFactory(guardian=guardian, child=child)
            EnrolmentFactory(offering=offering, resident=child, enrolled_by=guardian)
        else:
            EnrolmentFactory(offering=offering, resident=ResidentFactory(language="en"))
    adult = offering.enrolments.filter(enrolled_by__isnull=True).first().resident
    NotificationPreference.objects.create(
        resident=adult, kind="courses.offering_cancelled", in_app=True, email=True
    )
    return offering


@pytest.mark.parametrize("size", [2, 20])
def test_cancelling_an_offering_tells_the_cohort_in_a_fixed_number_of_queries(
    size, django_assert_num_queries
):
    """Guards the N+1 of telling each enrolled resident (and guardian) one by one."""
    offering = cohort_of(size)
    lecturer = offering.course.owner.resident

    # 12, and one for the lecturers whose search documents follow (courses/search.py).
    with django_assert_num_queries(13):
        services.offering_cancel(actor=lecturer, offering_id=offering.pk)

    assert not offering.enrolments.exclude(status=Enrolment.Status.CANCELLED).exists()
    # Each child and each guardian is told once, each in their own language.
    assert Notification.objects.count() == size + size // 2
    english = Notification.objects.filter(resident__language="en").first()
    assert english is not None
    assert "cancelled" in english.title


@pytest.mark.parametrize("size", [2, 20])
def test_moving_a_session_tells_the_cohort_in_a_fixed_number_of_queries(
    size, django_assert_num_queries
):
    """Guards the N+1 of ``_notify_cohort`` telling each enrolled resident one by one."""
    offering = cohort_of(size)
    lecturer = offering.course.owner.resident
    session = offering.sessions.get()

    with django_assert_num_queries(13):
        services.session_cancel(actor=lecturer, session_id=session.pk)

    assert Notification.objects.count() == size + size // 2
