"""``manage.py seed_demo_circles`` run again, too early and in production: each test seeds its
own town (what the personas find in a seeded town is in ``test_seed_demo_circles.py``, which
seeds once for all its tests)."""

import pytest
from django.core.management.base import CommandError

from campus_social.audit.models import AuditEvent
from campus_social.notifications.models import Notification
from communities.models import (
    Circle,
    CircleEvent,
    CircleMember,
    CircleTopic,
    Reply,
    Resource,
    Rsvp,
    Thread,
)
from courses.models import Offering
from messaging.models import RoomMember
from tests.communities.test_seed_demo_circles import seed_circles, seed_town_and_courses

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> None:
    seed_town_and_courses()


def counts() -> dict[str, int]:
    models = (
        Circle,
        CircleTopic,
        CircleMember,
        CircleEvent,
        Rsvp,
        Thread,
        Reply,
        Resource,
        RoomMember,
        Notification,
        AuditEvent,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_running_it_twice_changes_nothing(town):
    seed_circles()
    before = counts()

    output = seed_circles()

    assert counts() == before
    assert "nothing was changed" in output


def test_it_needs_the_demo_town_and_its_courses(town):
    Offering.objects.update(status=Offering.Status.DRAFT)
    with pytest.raises(CommandError, match="seed_demo_courses"):
        seed_circles()
    assert not Circle.objects.filter(offering__isnull=True).exists()


def test_it_needs_the_demo_town():
    with pytest.raises(CommandError, match="seed_demo"):
        seed_circles()
    assert not Circle.objects.exists()


def test_it_is_refused_in_production_mode(town, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        seed_circles()
    assert not Circle.objects.filter(offering__isnull=True).exists()
