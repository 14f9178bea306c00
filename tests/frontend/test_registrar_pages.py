"""The registrars' pages through Django's test client: the universities I am registrar of, the
queue of credit applications, the agreements and the policy, the records and their corrections.
For each form: the happy path, the service's refusal shown on the page, another university's
registrar refused (404), a resident who is no registrar (403), and anonymous visitors sent to
sign in."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus_social.audit.models import AuditEvent
from campus_social.identity.models import OrganisationRole
from consortium import services
from consortium.models import CreditAgreement, CreditApplication, CreditPolicy, CreditRecord
from tests.consortium.builders import agreement, apply, completed, ended_offering, university
from tests.factories import ResidentFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def _registrar(of):
    person = ResidentFactory(language="en")
    RoleFactory(resident=person, organisation=of, role=OrganisationRole.Role.REGISTRAR)
    return person


def _url(name: str, **kwargs) -> str:
    return reverse(f"frontend:{name}", kwargs=kwargs)


def _page(response) -> str:
    return response.content.decode()


@pytest.fixture
def town():
    minato = university()
    other = university(slug="kita-u", name="北大学")
    first, second = _registrar(minato), _registrar(minato)
    offering = ended_offering()
    learner = completed(offering, ResidentFactory(name="山田 花子"))
    deal = agreement(minato, offering, by=first)
    application = apply(learner, offering, minato)
    return {
        "minato": minato,
        "other": other,
        "first": first,
        "second": second,
        "outsider": _registrar(other),
        "offering": offering,
        "learner": learner,
        "agreement": deal,
        "application": application,
    }


def _approved(town) -> CreditRecord:
    services.credit_decide(
        actor=town["first"], application_id=town["application"].pk, approve=True, grade="A"
    )
    return CreditRecord.objects.get()


def _proposed(town) -> CreditRecord:
    record = _approved(town)
    return services.correction_propose(
        actor=town["first"], record_id=record.pk, credits="1", grade="S", reason="採点の誤り"
    )


# --- Who gets the pages --------------------------------------------------------------------------


def _every_page(town) -> list[tuple[str, str]]:
    uid = town["minato"].pk
    return [
        ("get", _url("registrar-home")),
        ("get", _url("registrar-queue", university_id=uid)),
        ("post", _url("registrar-decisions", university_id=uid)),
        ("post", _url("registrar-decide", application_id=town["application"].pk)),
        ("get", _url("registrar-agreements", university_id=uid)),
        ("post", _url("registrar-agreements", university_id=uid)),
        ("post", _url("registrar-agreement-end", agreement_id=town["agreement"].pk)),
        ("post", _url("registrar-policy", university_id=uid)),
        ("get", _url("registrar-records", university_id=uid)),
        ("post", _url("registrar-correct", record_id=1)),
        ("post", _url("registrar-correction-decide", record_id=1)),
    ]


def test_every_registrar_page_sends_anonymous_visitors_to_sign_in(town, client):
    for method, url in _every_page(town):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


def test_a_resident_who_is_no_registrar_gets_403(town, signed_in_page):
    page = signed_in_page(town["learner"])
    uid = town["minato"].pk
    record = _approved(town)
    posts = {
        _url("registrar-decide", application_id=town["application"].pk): {
            "university": uid,
            "decision": "reject",
            "reason": "x",
        },
        _url("registrar-agreements", university_id=uid): {},
        _url("registrar-agreement-end", agreement_id=town["agreement"].pk): {
            "university": uid,
            f"end-{town['agreement'].pk}-valid_until": "2030-01-01",
        },
        _url("registrar-policy", university_id=uid): {
            "policy-cap_credits": "30",
            "policy-rounding": "down",
            "policy-rounding_step": "1",
        },
        _url("registrar-correct", record_id=record.pk): {
            "university": uid,
            f"correct-{record.pk}-credits": "1",
            f"correct-{record.pk}-grade": "S",
            f"correct-{record.pk}-reason": "x",
        },
        _url("registrar-correction-decide", record_id=record.pk): {
            "university": uid,
            "decision": "approve",
        },
    }
    for method, url in _every_page(town):
        if method == "get":
            assert page.get(url).status_code == 403, url
    for url, data in posts.items():
        assert page.post(url, data).status_code == 403, url
    assert CreditRecord.objects.count() == 1
    assert CreditPolicy.objects.filter(cap_credits=30).count() == 0


def test_another_universitys_registrar_gets_404_and_changes_nothing(town, signed_in_page):
    page = signed_in_page(town["outsider"])
    uid = town["minato"].pk
    own = town["other"].pk
    for name in ("registrar-queue", "registrar-agreements", "registrar-records"):
        assert page.get(_url(name, university_id=uid)).status_code == 404, name
    decide = page.post(
        _url("registrar-decide", application_id=town["application"].pk),
        {"university": own, "decision": "approve", "grade": "A"},
    )
    assert decide.status_code == 404
    end = page.post(
        _url("registrar-agreement-end", agreement_id=town["agreement"].pk),
        {"university": own, f"end-{town['agreement'].pk}-valid_until": "2030-01-01"},
    )
    assert end.status_code == 404
    policy = page.post(
        _url("registrar-policy", university_id=uid),
        {"policy-cap_credits": "30", "policy-rounding": "down", "policy-rounding_step": "1"},
    )
    assert policy.status_code == 404
    create = page.post(
        _url("registrar-agreements", university_id=uid),
        {"new-course": town["offering"].course_id, "new-subject_code": "X"},
    )
    assert create.status_code == 404
    record = _approved(town)
    correct = page.post(
        _url("registrar-correct", record_id=record.pk),
        {
            "university": own,
            f"correct-{record.pk}-credits": "1",
            f"correct-{record.pk}-grade": "S",
            f"correct-{record.pk}-reason": "x",
        },
    )
    assert correct.status_code == 404
    proposal = services.correction_propose(
        actor=town["first"], record_id=record.pk, credits="1", grade="S", reason="誤り"
    )
    settle = page.post(
        _url("registrar-correction-decide", record_id=proposal.pk),
        {"university": own, "decision": "approve"},
    )
    assert settle.status_code == 404
    town["application"].refresh_from_db()
    assert town["application"].status == "approved"  # by the first registrar only
    assert CreditRecord.objects.count() == 2
    assert town["agreement"].valid_until is None
    assert AuditEvent.objects.filter(action="consortium.registrar_refused").exists()


# --- The universities I am registrar of ----------------------------------------------------------


def test_a_registrar_of_one_university_goes_straight_to_its_queue(town, signed_in_page):
    response = signed_in_page(town["first"]).get(_url("registrar-home"))
    assert response.status_code == 302
    assert response["Location"] == _url("registrar-queue", university_id=town["minato"].pk)


def test_a_registrar_of_two_universities_chooses(town, signed_in_page):
    RoleFactory(
        resident=town["first"], organisation=town["other"], role=OrganisationRole.Role.REGISTRAR
    )
    response = signed_in_page(town["first"]).get(_url("registrar-home"))
    assert response.status_code == 200
    assert "みなと大学" in _page(response)
    assert "北大学" in _page(response)


# --- The queue -----------------------------------------------------------------------------------


def test_the_queue_shows_the_evidence_the_cap_and_the_credit_in_force(town, signed_in_page):
    response = signed_in_page(town["first"]).get(
        _url("registrar-queue", university_id=town["minato"].pk)
    )
    page = _page(response)
    assert response.status_code == 200
    assert "山田 花子" in page
    assert "2 of 2 sessions" in page
    assert "LOC101" in page
    assert "0 of 60 (60 left)" in page
    assert '<option value="S">S</option>' in page


def test_the_queue_takes_a_fixed_number_of_queries(town, signed_in_page):
    page = signed_in_page(town["first"])
    url = _url("registrar-queue", university_id=town["minato"].pk)
    page.get(url)
    with CaptureQueriesContext(connection) as one:
        page.get(url)
    for _ in range(3):
        offering = ended_offering()
        learner = completed(offering)
        agreement(town["minato"], offering, by=town["first"], subject_code="X")
        apply(learner, offering, town["minato"])
    with CaptureQueriesContext(connection) as four:
        page.get(url)
    assert len(four) == len(one)


def test_approving_records_the_credit_and_tells_the_registrar(town, signed_in_page):
    page = signed_in_page(town["first"])
    response = page.post(
        _url("registrar-decide", application_id=town["application"].pk),
        {"university": town["minato"].pk, "decision": "approve", "grade": "A"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Approved: 山田 花子" in _page(response)
    assert "No applications are waiting." in _page(response)
    record = CreditRecord.objects.get()
    assert (record.grade, record.credits) == ("A", Decimal("1.0"))


def _csv(*lines: str) -> SimpleUploadedFile:
    data = "\r\n".join(["application_id,decision,grade,reason", *lines]).encode()
    return SimpleUploadedFile("decisions.csv", data, content_type="text/csv")


def test_a_registrar_decides_from_a_csv_file_on_the_queue_page(town, signed_in_page):
    page = signed_in_page(town["first"])
    url = _url("registrar-decisions", university_id=town["minato"].pk)
    assert "Decide from a file" in _page(
        page.get(_url("registrar-queue", university_id=town["minato"].pk))
    )

    response = page.post(url, {"file": _csv(f"{town['application'].pk},approve,B,")}, follow=True)

    assert "1 application is decided" in _page(response)
    assert CreditRecord.objects.get().grade == "B"


def test_a_csv_file_with_mistakes_lists_them_and_decides_nothing(town, signed_in_page):
    page = signed_in_page(town["first"])
    url = _url("registrar-decisions", university_id=town["minato"].pk)

    response = page.post(url, {"file": _csv(f"{town['application'].pk},approve,,")})
    missing = page.post(url, {}, follow=True)

    assert response.status_code == 400
    assert "Line 2: an approval needs a grade." in _page(response)
    assert "Choose a CSV file." in _page(missing)
    assert not CreditRecord.objects.exists()


def test_rejecting_needs_a_reason_shown_on_the_card(town, signed_in_page):
    page = signed_in_page(town["first"])
    url = _url("registrar-decide", application_id=town["application"].pk)
    refused = page.post(url, {"university": town["minato"].pk, "decision": "reject"})
    assert refused.status_code == 400
    assert "Please give a reason." in _page(refused)
    assert "card--warning" in _page(refused)
    done = page.post(
        url,
        {"university": town["minato"].pk, "decision": "reject", "reason": "対象外"},
        follow=True,
    )
    assert "Rejected: 山田 花子 is told" in _page(done)
    town["application"].refresh_from_db()
    assert (town["application"].status, town["application"].reason) == ("rejected", "対象外")


def test_an_invalid_grade_and_the_cap_are_refused_on_the_card(town, signed_in_page):
    page = signed_in_page(town["first"])
    url = _url("registrar-decide", application_id=town["application"].pk)
    invalid = page.post(url, {"university": town["minato"].pk, "decision": "approve", "grade": "Z"})
    assert invalid.status_code == 400
    assert "Choose one of this subject&#x27;s grades" in _page(invalid)
    services.policy_set(
        actor=town["first"],
        university_id=town["minato"].pk,
        cap_credits="0.5",
        rounding="down",
        rounding_step="0.5",
    )
    over = page.post(url, {"university": town["minato"].pk, "decision": "approve", "grade": "A"})
    assert over.status_code == 409
    assert "past its cap of 0.5 credits" in _page(over)
    assert 'id="application-' in _page(over)
    assert not CreditRecord.objects.exists()


def test_an_application_withdrawn_meanwhile_is_refused_on_top(town, signed_in_page):
    services.credit_withdraw(actor=town["learner"], application_id=town["application"].pk)
    response = signed_in_page(town["first"]).post(
        _url("registrar-decide", application_id=town["application"].pk),
        {"university": town["minato"].pk, "decision": "approve", "grade": "A"},
    )
    assert response.status_code == 409
    assert "withdrew their consent" in _page(response)
    assert "error-summary" in _page(response)


# --- Agreements and the policy -------------------------------------------------------------------


def _agreement_data(town, **values) -> dict:
    offering = ended_offering(hours=(30, 60))  # 90 hours: 2 credits
    return {
        "new-course": offering.course_id,
        "new-subject_code": "LOC201",
        "new-subject_name": "地域学演習",
        "new-credits": "2",
        "new-grading": "pass_fail",
        "new-grades": "",
        "new-valid_from": "2026-04-01",
        "new-valid_until": "",
        "new-mismatch_reason": "",
        **values,
    }


def test_the_agreements_page_lists_in_force_and_ended_with_the_forms(town, signed_in_page):
    services.agreement_end(
        actor=town["first"],
        agreement_id=town["agreement"].pk,
        valid_until=town["agreement"].valid_from,
    )
    response = signed_in_page(town["first"]).get(
        _url("registrar-agreements", university_id=town["minato"].pk)
    )
    page = _page(response)
    assert response.status_code == 200
    assert "Ended agreements" in page
    assert "LOC101" in page
    assert "45 hours of study" in page
    assert 'name="policy-cap_credits"' in page
    assert 'name="new-course"' in page


def test_creating_an_agreement(town, signed_in_page):
    response = signed_in_page(town["first"]).post(
        _url("registrar-agreements", university_id=town["minato"].pk),
        _agreement_data(town),
        follow=True,
    )
    assert response.status_code == 200
    assert "The agreement for 地域学演習 is saved." in _page(response)
    created = CreditAgreement.objects.get(subject_code="LOC201")
    assert (created.credits, created.grading) == (Decimal("2.0"), "pass_fail")


def test_credits_that_differ_from_the_hours_are_refused_beside_the_reason(town, signed_in_page):
    page = signed_in_page(town["first"])
    url = _url("registrar-agreements", university_id=town["minato"].pk)
    data = _agreement_data(town, **{"new-credits": "3"})
    refused = page.post(url, data)
    assert refused.status_code == 400
    assert "which is 2.0 credits at 45 hours a credit" in _page(refused)
    assert 'id="id_new-mismatch_reason"' in _page(refused)
    assert not CreditAgreement.objects.filter(subject_code="LOC201").exists()
    data["new-mismatch_reason"] = "実習の課題が多いため"
    assert page.post(url, data).status_code == 302
    assert CreditAgreement.objects.get(subject_code="LOC201").credits == Decimal("3.0")


def test_a_scale_of_grades_is_taken_from_the_commas(town, signed_in_page):
    signed_in_page(town["first"]).post(
        _url("registrar-agreements", university_id=town["minato"].pk),
        _agreement_data(town, **{"new-grading": "scale", "new-grades": "優, 良, 可"}),
    )
    assert CreditAgreement.objects.get(subject_code="LOC201").grades == ["優", "良", "可"]


def test_ending_an_agreement_and_its_refusal(town, signed_in_page):
    page = signed_in_page(town["first"])
    deal = town["agreement"]
    url = _url("registrar-agreement-end", agreement_id=deal.pk)
    field = f"end-{deal.pk}-valid_until"
    refused = page.post(url, {"university": town["minato"].pk, field: "2019-01-01"})
    assert refused.status_code == 409
    assert "An agreement cannot end before it starts." in _page(refused)
    ended = page.post(url, {"university": town["minato"].pk, field: "2030-03-31"}, follow=True)
    assert "ends on" in _page(ended)
    deal.refresh_from_db()
    assert deal.valid_until.isoformat() == "2030-03-31"


def test_setting_the_policy_and_its_refusal(town, signed_in_page):
    page = signed_in_page(town["first"])
    url = _url("registrar-policy", university_id=town["minato"].pk)
    refused = page.post(
        url,
        {"policy-cap_credits": "500", "policy-rounding": "down", "policy-rounding_step": "1"},
    )
    assert refused.status_code == 400
    assert "Credits are a number from 0 to" in _page(refused)
    done = page.post(
        url,
        {"policy-cap_credits": "30", "policy-rounding": "half_up", "policy-rounding_step": "1"},
        follow=True,
    )
    assert "The policy is saved." in _page(done)
    policy = CreditPolicy.objects.get(university=town["minato"])
    assert (policy.cap_credits, policy.rounding) == (Decimal("30.0"), "half_up")


# --- Records and corrections ----------------------------------------------------------------------


def test_the_records_page_shows_records_in_force_and_the_csv_link(town, signed_in_page):
    record = _approved(town)
    response = signed_in_page(town["first"]).get(
        _url("registrar-records", university_id=town["minato"].pk)
    )
    page = _page(response)
    assert response.status_code == 200
    assert f'id="record-{record.pk}"' in page
    assert "山田 花子" in page
    assert reverse("consortium:records-csv", kwargs={"university_id": town["minato"].pk}) in page


def test_proposing_a_correction_and_its_refusal(town, signed_in_page):
    record = _approved(town)
    page = signed_in_page(town["first"])
    url = _url("registrar-correct", record_id=record.pk)
    prefix = f"correct-{record.pk}-"
    refused = page.post(
        url,
        {"university": town["minato"].pk, prefix + "credits": "1", prefix + "grade": "S"},
    )
    assert refused.status_code == 400
    assert "Please give a reason." in _page(refused)
    assert "<details open>" in _page(refused)
    done = page.post(
        url,
        {
            "university": town["minato"].pk,
            prefix + "credits": "1",
            prefix + "grade": "S",
            prefix + "reason": "採点の誤り",
        },
        follow=True,
    )
    text = _page(done)
    assert "Another registrar of your university must approve it." in text
    assert "You proposed this correction: another registrar" in text
    assert "Approve the correction" not in text
    assert CreditRecord.objects.filter(status="awaiting_second_approval").count() == 1


def test_the_proposer_cannot_approve_their_own_correction(town, signed_in_page):
    proposal = _proposed(town)
    response = signed_in_page(town["first"]).post(
        _url("registrar-correction-decide", record_id=proposal.pk),
        {"university": town["minato"].pk, "decision": "approve"},
    )
    assert response.status_code == 403
    assert "Another registrar of the university must approve this correction." in _page(response)
    assert f'id="proposal-{proposal.pk}"' in _page(response)
    assert not CreditRecord.objects.filter(settles=proposal).exists()


def test_a_second_registrar_approves_or_refuses_a_correction(town, signed_in_page):
    proposal = _proposed(town)
    page = signed_in_page(town["second"])
    listing = page.get(_url("registrar-records", university_id=town["minato"].pk))
    assert "Approve the correction" in _page(listing)
    done = page.post(
        _url("registrar-correction-decide", record_id=proposal.pk),
        {"university": town["minato"].pk, "decision": "approve"},
        follow=True,
    )
    assert "The correction is approved" in _page(done)
    settled = CreditRecord.objects.get(settles=proposal)
    assert (settled.status, settled.grade, settled.second_approver) == (
        "effective",
        "S",
        town["second"],
    )
    again = page.post(
        _url("registrar-correction-decide", record_id=proposal.pk),
        {"university": town["minato"].pk, "decision": "reject"},
    )
    assert again.status_code == 409
    assert "This is not a correction waiting for approval." in _page(again)


def test_refusing_a_correction_keeps_the_entry(town, signed_in_page):
    proposal = _proposed(town)
    done = signed_in_page(town["second"]).post(
        _url("registrar-correction-decide", record_id=proposal.pk),
        {"university": town["minato"].pk, "decision": "reject"},
        follow=True,
    )
    assert "The correction is refused." in _page(done)
    assert CreditRecord.objects.get(settles=proposal).status == "refused"
    assert CreditApplication.objects.get().status == "approved"


def test_the_pages_are_in_japanese_by_default(town, signed_in_page, settings):
    settings.LANGUAGE_CODE = "ja"
    page = signed_in_page(town["first"])
    uid = town["minato"].pk
    assert "単位認定の申請" in _page(page.get(_url("registrar-queue", university_id=uid)))
    assert "有効な協定" in _page(page.get(_url("registrar-agreements", university_id=uid)))
    assert "別の教務担当者の承認を待つ訂正" in _page(
        page.get(_url("registrar-records", university_id=uid))
    )
