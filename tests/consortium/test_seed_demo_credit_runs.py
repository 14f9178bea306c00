"""``manage.py seed_demo_credit`` run again, and without the town or in production: each test
seeds its own (what the personas find is in ``test_seed_demo_credit.py``)."""

import pytest
from django.core.management.base import CommandError

from campus_social.audit.models import AuditEvent
from consortium.models import CreditAgreement, CreditApplication, CreditRecord
from tests.consortium.test_seed_demo_credit import seed_credit, seed_town_and_courses

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = (CreditAgreement, CreditApplication, CreditRecord, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


def test_running_it_twice_changes_nothing():
    seed_town_and_courses()
    seed_credit()
    before = counts()

    output = seed_credit()

    assert counts() == before
    assert "nothing was changed" in output


def test_it_needs_the_demo_town():
    with pytest.raises(CommandError, match="seed_demo"):
        seed_credit()
    assert not CreditAgreement.objects.exists()


def test_it_is_refused_in_production_mode(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        seed_credit()
    assert not CreditAgreement.objects.exists()
