"""``manage.py seed_demo_credit``: the consortium in the demo town, after ``seed_demo`` and
``seed_demo_courses`` — what the registrar and the senior of ``docs/demo.md`` find."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from campus_social.identity.models import Resident
from consortium import selectors, services
from consortium.models import CreditAgreement, CreditApplication, CreditRecord
from consortium.values import ApplicationStatus, RecordStatus
from courses.selectors import offering_get_public, published_offering_ids

pytestmark = pytest.mark.django_db


def seed_credit() -> str:
    out = StringIO()
    call_command("seed_demo_credit", "--no-progress", stdout=out)
    return out.getvalue()


def seed_town_and_courses() -> None:
    call_command("seed_demo", "--no-progress", stdout=StringIO())
    call_command("seed_demo_courses", "--no-progress", stdout=StringIO())


@pytest.fixture(scope="module")
def seeded(module_db, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        seed_town_and_courses()
        return seed_credit()


def persona(key: str) -> Resident:
    return Resident.objects.get(login_name=f"persona-{key}")


def pen_offering_id() -> int:
    return next(
        pk
        for pk in published_offering_ids()
        if offering_get_public(offering_id=pk).course.title == "ペン字で美しい手紙を"
    )


def test_two_universities_recognise_courses_one_explaining_a_mismatch(seeded):
    catalogue = list(selectors.catalogue())

    assert {(a.university.slug, a.subject_code, a.credits) for a in catalogue} == {
        ("aoba-university", "HIS105", Decimal("1.0")),
        ("aoba-university", "ART120", Decimal("1.0")),
        ("aoba-gakuin-university", "JPN210", Decimal("2.0")),
    }
    assert CreditAgreement.objects.get(subject_code="JPN210").mismatch_reason
    assert selectors.policy_of(university_id=catalogue[0].university_id).cap_credits > 0
    assert "3 agreements" in seeded


def test_applications_stand_in_every_state(seeded):
    statuses = sorted(CreditApplication.objects.values_list("status", flat=True))

    assert statuses == sorted(
        [
            ApplicationStatus.PENDING,
            ApplicationStatus.APPROVED,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        ]
    )
    rejected = CreditApplication.objects.get(status=ApplicationStatus.REJECTED)
    assert rejected.reason


def test_the_registrar_persona_has_a_queue_and_a_correction_to_approve_as_second_registrar(
    seeded,
):
    registrar = persona("registrar")
    aoba = registrar.roles.get().organisation

    queue = list(selectors.registrar_queue(actor=registrar, university_id=aoba.pk))
    proposal = CreditRecord.objects.get(status=RecordStatus.AWAITING_SECOND_APPROVAL)

    assert len(queue) == 1
    assert queue[0].shared_record["lecturer_grade"] in ("A", "B")
    assert proposal.entered_by != registrar
    assert proposal.university == aoba


def test_the_senior_completed_a_credit_bearing_course_and_may_apply(seeded):
    senior = persona("senior")
    aoba = persona("registrar").roles.get().organisation

    agreement, record = services.application_preview(
        actor=senior, offering_id=pen_offering_id(), university_id=aoba.pk
    )

    assert agreement.subject_code == "ART120"
    assert record["name"] == senior.name
    assert record["lecturer_grade"] == "A"
    assert not CreditApplication.objects.filter(resident=senior).exists()
