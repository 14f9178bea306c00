"""``manage.py seed_demo_programs`` run again, and without the town or in production: each test
seeds its own (what the personas find is in ``test_seed_demo_programs.py``)."""

import pytest
from django.core.management.base import CommandError

from campus_social.audit.models import AuditEvent
from communities.models import Program, ProgramConsent, SessionReflection
from messaging.models import Message
from tests.communities.test_seed_demo_programs import seed_programs, seed_town

pytestmark = pytest.mark.django_db


def test_running_it_twice_changes_nothing():
    seed_town()
    seed_programs()
    before = {name: model.objects.count() for name, model in _models().items()}

    output = seed_programs()

    after = {name: model.objects.count() for name, model in _models().items()}
    assert after == before
    assert "nothing was changed" in output


def _models() -> dict[str, type]:
    return {
        model.__name__: model
        for model in (Program, ProgramConsent, SessionReflection, Message, AuditEvent)
    }


def test_it_needs_the_demo_town():
    with pytest.raises(CommandError, match="seed_demo"):
        seed_programs()
    assert not Program.objects.exists()


def test_it_is_refused_in_production_mode(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        seed_programs()
    assert not Program.objects.exists()
