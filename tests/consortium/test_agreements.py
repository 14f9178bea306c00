"""Universities' policies and credit agreements: registrars only, the 45-hour check with the
university's rounding, overlaps, ending an agreement; every change audited."""

from datetime import date
from decimal import Decimal

import pytest

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from consortium import selectors, services
from consortium.models import CreditAgreement, CreditPolicy
from tests.consortium.builders import agreement, ended_offering, registrar, university
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_a_registrar_makes_an_agreement_whose_credits_match_the_hours():
    minato = university()
    offering = ended_offering(hours=(15, 30))

    made = agreement(minato, offering, credits="1")

    assert made.credits == Decimal("1.0")
    assert made.grades == ["S", "A", "B", "C"]
    event = AuditEvent.objects.get(action="consortium.agreement_created")
    assert event.target_id == str(made.pk)
    assert event.detail == {"credits": "1.0", "expected": "1.0"}


def test_credits_that_differ_from_the_hours_need_a_reason():
    minato = university()
    offering = ended_offering(hours=(15, 30))

    with pytest.raises(Invalid) as refusal:
        agreement(minato, offering, credits="2")

    assert refusal.value.code == "credits_mismatch"
    assert "45" in refusal.value.fields["mismatch_reason"][0]
    assert not CreditAgreement.objects.exists()

    made = agreement(minato, offering, credits="2", mismatch_reason="実習を含むため")
    assert made.mismatch_reason == "実習を含むため"


@pytest.mark.parametrize(
    ("rounding", "step", "hours", "expected"),
    [
        ("down", "0.5", 80, "1.5"),
        ("down", "1", 80, "1.0"),
        ("half_up", "1", 80, "2.0"),
        ("half_up", "0.5", 56, "1.0"),
        ("half_up", "0.5", 57, "1.5"),
        ("down", "0.5", 10, "0.0"),
    ],
)
def test_hours_become_credits_by_the_university_rounding(rounding, step, hours, expected):
    policy = CreditPolicy(rounding=rounding, rounding_step=step)

    assert selectors.credits_for_hours(hours=hours, policy=policy) == Decimal(expected)


def test_the_policy_a_registrar_sets_is_the_one_the_check_uses():
    minato = university()
    clerk = registrar(minato)
    offering = ended_offering(hours=(40, 40))  # 80 hours: 1.5 rounded down to half, 2 half up
    services.policy_set(
        actor=clerk,
        university_id=minato.pk,
        cap_credits="30",
        rounding="half_up",
        rounding_step="1",
    )

    made = agreement(minato, offering, by=clerk, credits="2")

    assert made.mismatch_reason == ""
    policy = selectors.policy_of(university_id=minato.pk)
    assert (policy.cap_credits, policy.rounding, policy.rounding_step) == (30, "half_up", "1")
    assert AuditEvent.objects.filter(action="consortium.policy_set").count() == 1


def test_a_university_without_a_policy_has_a_cap_of_60():
    assert selectors.policy_of(university_id=university().pk).cap_credits == 60


@pytest.mark.parametrize("cap", ["-1", "abc", "0.25", "201"])
def test_a_cap_out_of_range_is_refused(cap):
    minato = university()
    with pytest.raises(Invalid):
        services.policy_set(
            actor=registrar(minato),
            university_id=minato.pk,
            cap_credits=cap,
            rounding="down",
            rounding_step="0.5",
        )
    assert not CreditPolicy.objects.exists()


def test_a_resident_who_is_no_registrar_is_forbidden():
    minato = university()
    with pytest.raises(Forbidden) as refusal:
        agreement(minato, ended_offering(), by=ResidentFactory())
    assert refusal.value.code == "not_registrar"


def test_a_registrar_of_another_university_is_refused_and_audited():
    minato, kita = university(), university("kita-u", "北大学")
    outsider = registrar(kita)

    with pytest.raises(NotFound):
        agreement(minato, ended_offering(), by=outsider)
    with pytest.raises(NotFound):
        services.policy_set(
            actor=outsider,
            university_id=minato.pk,
            cap_credits="10",
            rounding="down",
            rounding_step="1",
        )

    assert not CreditAgreement.objects.exists()
    assert not CreditPolicy.objects.exists()
    refusals = AuditEvent.objects.filter(
        action="consortium.registrar_refused", actor_id=outsider.pk
    )
    assert refusals.count() == 2
    assert refusals.first().target_id == str(minato.pk)


def test_a_scale_needs_two_to_ten_different_grades():
    minato = university()
    for grades in (["A"], ["A", "A"], [str(n) for n in range(11)]):
        with pytest.raises(Invalid) as refusal:
            agreement(minato, ended_offering(), grades=grades)
        assert "grades" in refusal.value.fields


def test_pass_fail_keeps_no_scale():
    made = agreement(university(), ended_offering(), grading="pass_fail", grades=["x", "y"])

    assert made.grades == []


def test_overlapping_agreements_for_one_course_are_refused():
    minato = university()
    offering = ended_offering()
    agreement(minato, offering, valid_from=date(2020, 4, 1), valid_until=date(2025, 3, 31))

    with pytest.raises(Conflict) as refusal:
        agreement(minato, offering, valid_from=date(2025, 3, 1))
    assert refusal.value.code == "agreement_overlaps"

    later = agreement(minato, offering, valid_from=date(2025, 4, 1), subject_code="LOC102")
    assert later.valid_until is None


def test_an_agreement_may_not_end_before_it_starts():
    with pytest.raises(Invalid) as refusal:
        agreement(
            university(),
            ended_offering(),
            valid_from=date(2026, 4, 1),
            valid_until=date(2026, 3, 1),
        )
    assert "valid_until" in refusal.value.fields


def test_a_registrar_ends_an_agreement_and_it_leaves_the_catalogue():
    minato = university()
    clerk = registrar(minato)
    made = agreement(minato, ended_offering(), by=clerk)
    assert list(selectors.catalogue()) == [made]

    services.agreement_end(actor=clerk, agreement_id=made.pk, valid_until=date(2024, 3, 31))

    made.refresh_from_db()
    assert made.valid_until == date(2024, 3, 31)
    assert made.ended_by == clerk
    assert list(selectors.catalogue()) == []
    assert list(selectors.catalogue(on=date(2023, 1, 1))) == [made]
    assert AuditEvent.objects.filter(action="consortium.agreement_ended").exists()


def test_ending_is_refused_before_the_start_after_an_end_and_for_another_university():
    minato, kita = university(), university("kita-u", "北大学")
    clerk = registrar(minato)
    made = agreement(minato, ended_offering(), by=clerk, valid_until=date(2030, 3, 31))

    with pytest.raises(Conflict):
        services.agreement_end(actor=clerk, agreement_id=made.pk, valid_until=date(2019, 1, 1))
    with pytest.raises(Conflict):
        services.agreement_end(actor=clerk, agreement_id=made.pk, valid_until=date(2031, 1, 1))
    with pytest.raises(NotFound):
        services.agreement_end(
            actor=registrar(kita), agreement_id=made.pk, valid_until=date(2024, 1, 1)
        )

    made.refresh_from_db()
    assert made.valid_until == date(2030, 3, 31)
