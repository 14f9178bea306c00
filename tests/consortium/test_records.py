"""Credit records are append-only; a correction needs a second registrar, keeps the corrected
entry, and is held to the cap when approved."""

from decimal import Decimal

import pytest

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.notifications.models import Notification
from consortium import selectors, services
from consortium.models import CreditRecord
from tests.consortium.builders import (
    agreement,
    apply,
    completed,
    ended_offering,
    registrar,
    university,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    minato = university()
    first, second = registrar(minato), registrar(minato)
    offering = ended_offering()
    learner = completed(offering)
    agreement(minato, offering, by=first)
    application = apply(learner, offering, minato)
    services.credit_decide(actor=first, application_id=application.pk, approve=True, grade="B")
    return {
        "minato": minato,
        "first": first,
        "second": second,
        "learner": learner,
        "record": CreditRecord.objects.get(),
    }


def test_a_record_is_never_updated_or_deleted(town):
    record = town["record"]
    record.grade = "S"

    with pytest.raises(TypeError):
        record.save()
    with pytest.raises(TypeError):
        record.delete()
    with pytest.raises(TypeError):
        CreditRecord.objects.filter(pk=record.pk).update(grade="S")
    with pytest.raises(TypeError):
        CreditRecord.objects.filter(pk=record.pk).delete()

    record.refresh_from_db()
    assert record.grade == "B"


def test_a_correction_takes_effect_only_when_a_second_registrar_approves(
    town, django_capture_on_commit_callbacks
):
    record = town["record"]

    proposal = services.correction_propose(
        actor=town["first"], record_id=record.pk, credits="1", grade="A", reason="採点の誤り"
    )

    assert (proposal.kind, proposal.status, proposal.corrects) == (
        "correction",
        "awaiting_second_approval",
        record,
    )
    assert list(selectors.my_credit(resident=town["learner"])) == [record]

    with django_capture_on_commit_callbacks(execute=True):
        settled = services.correction_decide(
            actor=town["second"], record_id=proposal.pk, approve=True
        )

    assert (settled.status, settled.settles, settled.second_approver) == (
        "effective",
        proposal,
        town["second"],
    )
    assert settled.entered_by == town["first"]
    assert list(selectors.my_credit(resident=town["learner"])) == [settled]
    # The corrected original and the proposal stay as they were.
    record.refresh_from_db()
    proposal.refresh_from_db()
    assert (record.grade, record.status) == ("B", "effective")
    assert proposal.status == "awaiting_second_approval"
    assert CreditRecord.objects.count() == 3
    assert Notification.objects.filter(resident=town["learner"]).count() == 1
    assert AuditEvent.objects.filter(action="consortium.correction_proposed").exists()
    assert AuditEvent.objects.filter(action="consortium.correction_approved").exists()


def test_the_proposer_cannot_approve_their_own_correction(town):
    proposal = services.correction_propose(
        actor=town["first"], record_id=town["record"].pk, credits="1", grade="A", reason="誤り"
    )

    with pytest.raises(Forbidden) as refusal:
        services.correction_decide(actor=town["first"], record_id=proposal.pk, approve=True)

    assert refusal.value.code == "second_registrar_needed"
    assert CreditRecord.objects.count() == 2
    assert AuditEvent.objects.filter(action="consortium.correction_refused").exists()
    assert list(selectors.my_credit(resident=town["learner"])) == [town["record"]]


def test_a_second_registrar_may_refuse_a_correction(town):
    proposal = services.correction_propose(
        actor=town["first"], record_id=town["record"].pk, credits="0", grade="C", reason="誤り"
    )

    refused = services.correction_decide(
        actor=town["second"], record_id=proposal.pk, approve=False, reason="原本が正しい"
    )

    assert refused.status == "refused"
    assert list(selectors.my_credit(resident=town["learner"])) == [town["record"]]
    with pytest.raises(Conflict) as again:
        services.correction_decide(actor=town["second"], record_id=proposal.pk, approve=True)
    assert again.value.code == "not_awaiting"


def test_one_proposal_at_a_time_and_only_for_an_entry_in_force(town):
    record = town["record"]
    proposal = services.correction_propose(
        actor=town["first"], record_id=record.pk, credits="1", grade="A", reason="誤り"
    )

    with pytest.raises(Conflict) as pending:
        services.correction_propose(
            actor=town["second"], record_id=record.pk, credits="1", grade="S", reason="誤り"
        )
    assert pending.value.code == "correction_pending"

    services.correction_decide(actor=town["second"], record_id=proposal.pk, approve=True)
    with pytest.raises(Conflict) as replaced:
        services.correction_propose(
            actor=town["second"], record_id=record.pk, credits="1", grade="S", reason="誤り"
        )
    assert replaced.value.code == "not_in_force"


def test_a_correction_needs_a_reason_and_a_grade_of_the_agreement(town):
    for values in (
        {"credits": "1", "grade": "A", "reason": ""},
        {"credits": "1", "grade": "Z", "reason": "誤り"},
        {"credits": "-1", "grade": "A", "reason": "誤り"},
    ):
        with pytest.raises(Invalid):
            services.correction_propose(actor=town["first"], record_id=town["record"].pk, **values)
    assert CreditRecord.objects.count() == 1


def test_a_correction_past_the_cap_is_refused_when_approved(town):
    services.policy_set(
        actor=town["first"],
        university_id=town["minato"].pk,
        cap_credits="1",
        rounding="down",
        rounding_step="0.5",
    )
    proposal = services.correction_propose(
        actor=town["first"], record_id=town["record"].pk, credits="2", grade="A", reason="誤り"
    )

    with pytest.raises(Conflict) as refusal:
        services.correction_decide(actor=town["second"], record_id=proposal.pk, approve=True)

    assert refusal.value.code == "over_cap"
    assert CreditRecord.objects.count() == 2
    assert AuditEvent.objects.filter(action="consortium.cap_refused").exists()
    assert selectors.credits_in_force(
        resident_id=town["learner"].pk, university_id=town["minato"].pk
    ) == Decimal("1")


def test_a_registrar_of_another_university_sees_and_corrects_nothing(town):
    outsider = registrar(university("kita-u", "北大学"))

    with pytest.raises(NotFound):
        services.correction_propose(
            actor=outsider, record_id=town["record"].pk, credits="1", grade="A", reason="x"
        )
    with pytest.raises(NotFound):
        selectors.university_records(actor=outsider, university_id=town["minato"].pk)
    with pytest.raises(Forbidden):
        services.correction_propose(
            actor=town["learner"], record_id=town["record"].pk, credits="1", grade="A", reason="x"
        )
    assert (
        AuditEvent.objects.filter(
            action="consortium.registrar_refused", actor_id=outsider.pk
        ).count()
        == 2
    )
