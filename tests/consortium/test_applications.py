"""Applying for credit with consent, withdrawing it, and the registrar's decision with the
university's cap; refusals clear, audited, and nothing stored."""

from datetime import date
from decimal import Decimal

import pytest

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.notifications.models import Notification
from consortium import selectors, services
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

pytestmark = pytest.mark.django_db


@pytest.fixture
def minato():
    return university()


@pytest.fixture
def clerk(minato):
    return registrar(minato)


@pytest.fixture
def offering():
    return ended_offering()


@pytest.fixture
def learner(offering):
    return completed(offering)


def _refusals(code: str) -> int:
    return AuditEvent.objects.filter(
        action="consortium.application_refused", detail__code=code
    ).count()


def test_the_preview_lists_exactly_what_would_be_shared(minato, clerk, offering, learner):
    agreement(minato, offering, by=clerk)

    made, record = services.application_preview(
        actor=learner, offering_id=offering.pk, university_id=minato.pk
    )

    assert made.subject_code == "LOC101"
    assert record["name"] == learner.name
    assert record["course"] == offering.course.title
    assert (record["sessions_attended"], record["sessions_held"]) == (2, 2)
    assert record["lecturer_grade"] == "A"
    assert (record["class_hours"], record["self_study_hours"]) == (15, 30)
    assert record["credits"] == "1.0"
    assert "birth_date" not in record
    assert "district" not in record


def test_a_resident_applies_with_consent_and_exactly_the_shown_record_is_stored(
    minato, clerk, offering, learner
):
    agreement(minato, offering, by=clerk)
    _made, shown = services.application_preview(
        actor=learner, offering_id=offering.pk, university_id=minato.pk
    )

    application = apply(learner, offering, minato)

    assert application.status == "pending"
    assert application.shared_record == shown
    assert application.consented_at is not None
    assert AuditEvent.objects.filter(
        action="consortium.application_made", target_id=str(application.pk)
    ).exists()
    assert list(selectors.registrar_queue(actor=clerk, university_id=minato.pk)) == [application]


def test_applying_without_completion_is_refused_and_audited(minato, clerk, offering):
    agreement(minato, offering, by=clerk)
    stranger = ResidentFactory()

    with pytest.raises(Conflict) as refusal:
        services.credit_apply(
            actor=stranger,
            offering_id=offering.pk,
            university_id=minato.pk,
            consent=True,
            digest="x",
        )

    assert refusal.value.code == "not_completed"
    assert not CreditApplication.objects.exists()
    assert _refusals("not_completed") == 1


def test_applying_for_an_offering_without_credit_is_refused(minato, clerk):
    offering = ended_offering(bears_credit=False)
    agreement(minato, offering, by=clerk)
    learner = completed(offering)

    with pytest.raises(Conflict) as refusal:
        apply(learner, offering, minato)
    assert refusal.value.code == "no_credit"


def test_applying_to_a_university_with_no_agreement_is_refused_and_audited(
    minato, offering, learner
):
    kita = university("kita-u", "北大学")
    agreement(kita, offering)

    with pytest.raises(Conflict) as refusal:
        services.credit_apply(
            actor=learner, offering_id=offering.pk, university_id=minato.pk, consent=True, digest=""
        )

    assert refusal.value.code == "no_agreement"
    assert _refusals("no_agreement") == 1
    assert not CreditApplication.objects.exists()


def test_an_agreement_that_ended_before_the_offering_does_not_cover_it(
    minato, clerk, offering, learner
):
    agreement(minato, offering, by=clerk, valid_until=date(2021, 3, 31))

    with pytest.raises(Conflict) as refusal:
        apply(learner, offering, minato)
    assert refusal.value.code == "no_agreement"


def test_applying_twice_is_refused_and_audited(minato, clerk, offering, learner):
    agreement(minato, offering, by=clerk)
    apply(learner, offering, minato)

    with pytest.raises(Conflict) as refusal:
        apply(learner, offering, minato)

    assert refusal.value.code == "already_applied"
    assert _refusals("already_applied") == 1
    assert CreditApplication.objects.count() == 1


def test_applying_without_consent_is_refused_and_audited(minato, clerk, offering, learner):
    agreement(minato, offering, by=clerk)
    _made, record = services.application_preview(
        actor=learner, offering_id=offering.pk, university_id=minato.pk
    )

    with pytest.raises(Invalid) as refusal:
        services.credit_apply(
            actor=learner,
            offering_id=offering.pk,
            university_id=minato.pk,
            consent=False,
            digest=services.record_digest(record),
        )

    assert refusal.value.code == "consent_required"
    assert _refusals("consent_required") == 1
    assert not CreditApplication.objects.exists()


def test_a_record_other_than_the_one_shown_is_refused(minato, clerk, offering, learner):
    agreement(minato, offering, by=clerk)
    _made, record = services.application_preview(
        actor=learner, offering_id=offering.pk, university_id=minato.pk
    )
    digest = services.record_digest(record)
    from courses import services as course_services

    completion_id = selectors_completion_id(offering, learner)
    course_services.completion_grade_set(
        actor=offering.course.owner.resident, completion_id=completion_id, grade="B"
    )

    with pytest.raises(Conflict) as refusal:
        services.credit_apply(
            actor=learner,
            offering_id=offering.pk,
            university_id=minato.pk,
            consent=True,
            digest=digest,
        )
    assert refusal.value.code == "record_changed"
    assert not CreditApplication.objects.exists()


def selectors_completion_id(offering, learner) -> int:
    from courses import selectors as course_selectors

    evidence = course_selectors.credit_evidence(offering_id=offering.pk, resident_id=learner.pk)
    assert evidence is not None
    return evidence.completion_id


def test_the_resident_withdraws_consent_and_the_queue_no_longer_shows_it(
    minato, clerk, offering, learner
):
    agreement(minato, offering, by=clerk)
    application = apply(learner, offering, minato)

    services.credit_withdraw(actor=learner, application_id=application.pk)

    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert application.withdrawn_at is not None
    assert list(selectors.registrar_queue(actor=clerk, university_id=minato.pk)) == []
    assert AuditEvent.objects.filter(action="consortium.consent_withdrawn").exists()


def test_deciding_after_the_consent_was_withdrawn_is_refused_and_audited(
    minato, clerk, offering, learner
):
    agreement(minato, offering, by=clerk)
    application = apply(learner, offering, minato)
    services.credit_withdraw(actor=learner, application_id=application.pk)

    with pytest.raises(Conflict) as refusal:
        services.credit_decide(actor=clerk, application_id=application.pk, approve=True, grade="A")

    assert refusal.value.code == "withdrawn"
    assert AuditEvent.objects.filter(action="consortium.decision_refused").exists()
    assert not CreditRecord.objects.exists()


def test_another_resident_cannot_withdraw_and_a_decided_one_cannot_be_withdrawn(
    minato, clerk, offering, learner
):
    agreement(minato, offering, by=clerk)
    application = apply(learner, offering, minato)

    with pytest.raises(NotFound):
        services.credit_withdraw(actor=ResidentFactory(), application_id=application.pk)

    services.credit_decide(actor=clerk, application_id=application.pk, approve=True, grade="A")
    with pytest.raises(Conflict) as refusal:
        services.credit_withdraw(actor=learner, application_id=application.pk)
    assert refusal.value.code == "decided"


def test_a_registrar_approves_with_a_grade_the_credit_shows_and_the_resident_is_told(
    minato, clerk, offering, learner, django_capture_on_commit_callbacks
):
    agreement(minato, offering, by=clerk)
    application = apply(learner, offering, minato)

    with django_capture_on_commit_callbacks(execute=True):
        services.credit_decide(actor=clerk, application_id=application.pk, approve=True, grade="A")

    application.refresh_from_db()
    assert (application.status, application.decided_by) == ("approved", clerk)
    record = CreditRecord.objects.get()
    assert (record.kind, record.status, record.credits, record.grade) == (
        "original",
        "effective",
        Decimal("1.0"),
        "A",
    )
    assert list(selectors.my_credit(resident=learner)) == [record]
    assert list(selectors.university_records(actor=clerk, university_id=minato.pk)) == [record]
    assert Notification.objects.filter(resident=learner, kind="consortium.credit").exists()
    assert AuditEvent.objects.filter(action="consortium.record_added").exists()
    assert AuditEvent.objects.filter(action="consortium.application_approved").exists()


def test_a_grade_outside_the_agreement_grading_is_refused(minato, clerk, offering, learner):
    agreement(minato, offering, by=clerk)
    application = apply(learner, offering, minato)

    with pytest.raises(Invalid) as refusal:
        services.credit_decide(actor=clerk, application_id=application.pk, approve=True, grade="Z")

    assert refusal.value.code == "invalid_grade"
    application.refresh_from_db()
    assert application.status == "pending"


def test_pass_fail_approves_with_pass(minato, clerk, offering, learner):
    agreement(minato, offering, by=clerk, grading="pass_fail")
    application = apply(learner, offering, minato)

    with pytest.raises(Invalid):
        services.credit_decide(actor=clerk, application_id=application.pk, approve=True, grade="A")
    services.credit_decide(actor=clerk, application_id=application.pk, approve=True, grade="pass")

    assert CreditRecord.objects.get().grade == "pass"


def test_a_registrar_rejects_with_a_reason_and_the_resident_is_told(
    minato, clerk, offering, learner, django_capture_on_commit_callbacks
):
    agreement(minato, offering, by=clerk)
    application = apply(learner, offering, minato)

    with pytest.raises(Invalid) as refusal:
        services.credit_decide(actor=clerk, application_id=application.pk, approve=False)
    assert refusal.value.code == "reason_required"

    with django_capture_on_commit_callbacks(execute=True):
        services.credit_decide(
            actor=clerk, application_id=application.pk, approve=False, reason="出席不足"
        )

    application.refresh_from_db()
    assert (application.status, application.reason) == ("rejected", "出席不足")
    assert not CreditRecord.objects.exists()
    assert Notification.objects.filter(resident=learner).count() == 1


def test_a_registrar_of_another_university_is_refused_and_audited(minato, clerk, offering, learner):
    agreement(minato, offering, by=clerk)
    application = apply(learner, offering, minato)
    outsider = registrar(university("kita-u", "北大学"))

    with pytest.raises(NotFound):
        services.credit_decide(
            actor=outsider, application_id=application.pk, approve=True, grade="A"
        )
    with pytest.raises(NotFound):
        selectors.registrar_queue(actor=outsider, university_id=minato.pk)
    with pytest.raises(Forbidden):
        services.credit_decide(actor=learner, application_id=application.pk, approve=True)

    application.refresh_from_db()
    assert application.status == "pending"
    assert (
        AuditEvent.objects.filter(
            action="consortium.registrar_refused", actor_id=outsider.pk
        ).count()
        == 2
    )


def test_approving_past_the_cap_is_refused_with_a_clear_error_and_audited(minato, clerk):
    services.policy_set(
        actor=clerk,
        university_id=minato.pk,
        cap_credits="1.5",
        rounding="down",
        rounding_step="0.5",
    )
    learner = ResidentFactory()
    first, second = ended_offering(), ended_offering()
    for offering in (first, second):
        completed(offering, learner)
        agreement(minato, offering, by=clerk)
    one = apply(learner, first, minato)
    two = apply(learner, second, minato)
    services.credit_decide(actor=clerk, application_id=one.pk, approve=True, grade="A")

    with pytest.raises(Conflict) as refusal:
        services.credit_decide(actor=clerk, application_id=two.pk, approve=True, grade="A")

    assert refusal.value.code == "over_cap"
    assert "1.5" in refusal.value.message
    two.refresh_from_db()
    assert two.status == "pending"
    assert CreditRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action="consortium.cap_refused").exists()
    assert selectors.credits_in_force(resident_id=learner.pk, university_id=minato.pk) == 1


def test_the_cap_counts_only_credit_at_that_university(minato, clerk):
    kita = university("kita-u", "北大学")
    kita_clerk = registrar(kita)
    services.policy_set(
        actor=clerk, university_id=minato.pk, cap_credits="1", rounding="down", rounding_step="0.5"
    )
    learner = ResidentFactory()
    offering = ended_offering()
    completed(offering, learner)
    agreement(minato, offering, by=clerk)
    agreement(kita, offering, by=kita_clerk)
    at_kita = apply(learner, offering, kita)
    at_minato = apply(learner, offering, minato)

    services.credit_decide(actor=kita_clerk, application_id=at_kita.pk, approve=True, grade="S")
    services.credit_decide(actor=clerk, application_id=at_minato.pk, approve=True, grade="S")

    assert selectors.my_credit(resident=learner).count() == 2
    assert selectors.university_records(actor=clerk, university_id=minato.pk).count() == 1


def test_a_child_cannot_apply_and_the_refusal_is_audited(minato, clerk, offering):
    from tests.factories import ChildFactory

    child = completed(offering, ChildFactory())
    agreement(minato, offering, by=clerk)

    with pytest.raises(Forbidden) as refusal:
        services.application_preview(actor=child, offering_id=offering.pk, university_id=minato.pk)
    assert refusal.value.code == "adults_only"
    with pytest.raises(Forbidden):
        services.credit_apply(
            actor=child, offering_id=offering.pk, university_id=minato.pk, consent=True, digest=""
        )

    assert not CreditApplication.objects.exists()
    assert _refusals("adults_only") == 1
