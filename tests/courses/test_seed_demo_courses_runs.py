"""``manage.py seed_demo_courses`` run again, too early and in production: each test seeds its
own town (what the personas find in a seeded town is in ``test_seed_demo_courses.py``, which
seeds once for all its tests)."""

import pytest
from django.core.management.base import CommandError

from campus_social.audit.models import AuditEvent
from campus_social.notifications.models import Notification
from campus_social.safeguarding.models import VettingRecord
from courses.models import (
    Attendance,
    Completion,
    Course,
    Enrolment,
    Lecturer,
    Offering,
    Session,
    SurveyResponse,
)
from messaging.models import RoomMember
from tests.courses.test_seed_demo_courses import seed_courses, seed_town

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> None:
    seed_town()


def counts() -> dict[str, int]:
    models = (
        Lecturer,
        VettingRecord,
        Course,
        Offering,
        Session,
        Enrolment,
        Attendance,
        Completion,
        SurveyResponse,
        Notification,
        RoomMember,
        AuditEvent,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_running_seed_demo_courses_twice_changes_nothing(town):
    seed_courses()
    before = counts()
    schedule = list(Session.objects.order_by("pk").values_list("pk", "starts_at"))

    output = seed_courses()

    assert counts() == before
    assert list(Session.objects.order_by("pk").values_list("pk", "starts_at")) == schedule
    assert "nothing was changed" in output


def test_seed_demo_courses_needs_the_demo_town():
    with pytest.raises(CommandError, match="seed_demo"):
        seed_courses()
    assert not Course.objects.exists()


def test_seed_demo_courses_is_refused_in_production_mode(town, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        seed_courses()
    assert not Course.objects.exists()
