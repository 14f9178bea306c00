"""Two registrars approving at the same moment cannot both slip under the cap, and two
applications pressed at once make one (PostgreSQL: SQLite runs one writer at a time)."""

import threading

import pytest
from django.db import close_old_connections, connection

from campus_social.common.errors import Conflict
from consortium import services
from consortium.models import CreditApplication, CreditRecord
from tests.consortium.builders import (
    agreement,
    apply,
    completed,
    ended_offering,
    registrar,
    university,
)
from tests.factories import ResidentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency needs a server database"
    ),
]


def _at_once(calls) -> list[str]:
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        start.wait()
        try:
            call()
            outcomes.append("done")
        except Conflict as refusal:
            outcomes.append(refusal.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_simultaneous_approvals_never_pass_the_cap():
    minato = university()
    first, second = registrar(minato), registrar(minato)
    services.policy_set(
        actor=first, university_id=minato.pk, cap_credits="1", rounding="down", rounding_step="0.5"
    )
    learner = ResidentFactory()
    applications = []
    for _n in range(2):
        offering = ended_offering()
        completed(offering, learner)
        agreement(minato, offering, by=first)
        applications.append(apply(learner, offering, minato))

    outcomes = _at_once(
        [
            lambda clerk=clerk, application=application: services.credit_decide(
                actor=clerk, application_id=application.pk, approve=True, grade="A"
            )
            for clerk, application in zip((first, second), applications, strict=True)
        ]
    )

    assert outcomes == ["done", "over_cap"]
    assert CreditRecord.objects.count() == 1


def test_applications_pressed_at_once_make_one():
    minato = university()
    offering = ended_offering()
    learner = completed(offering)
    agreement(minato, offering)
    _made, record = services.application_preview(
        actor=learner, offering_id=offering.pk, university_id=minato.pk
    )
    digest = services.record_digest(record)

    def press():
        services.credit_apply(
            actor=learner,
            offering_id=offering.pk,
            university_id=minato.pk,
            consent=True,
            digest=digest,
        )

    outcomes = _at_once([press, press, press])

    assert outcomes == ["already_applied", "already_applied", "done"]
    assert CreditApplication.objects.count() == 1
