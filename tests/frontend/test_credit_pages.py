"""The consortium's pages for residents without a browser: the public catalogue, my credit
(totals against caps, applications, downloads, what I may apply for), the application with the
exact record shared and the consent, each refusal shown, and the withdrawal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from consortium import services
from consortium.models import CreditApplication
from tests.consortium.builders import (
    agreement,
    apply,
    completed,
    ended_offering,
    registrar,
    university,
)
from tests.factories import ChildFactory, ResidentFactory

pytestmark = pytest.mark.django_db

CATALOGUE = "/consortium/"
MINE = "/me/credit/"
APPLY = "/me/credit/apply/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


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


@pytest.fixture
def covered(minato, clerk, offering):
    return agreement(minato, offering, by=clerk)


def _apply_url(offering, at):
    return f"{APPLY}?offering={offering.pk}&university={at.pk}"


def _digest(resident, offering, at):
    _agreement, record = services.application_preview(
        actor=resident, offering_id=offering.pk, university_id=at.pk
    )
    return services.record_digest(record)


def _post_apply(client, resident, offering, at, *, consent=True, digest=None):
    data = {
        "offering": offering.pk,
        "university": at.pk,
        "digest": digest if digest is not None else _digest(resident, offering, at),
    }
    if consent:
        data["consent"] = "on"
    return client.post(APPLY, data)


# --- The catalogue --------------------------------------------------------------------------------


def test_anyone_reads_the_catalogue_grouped_by_university_with_caps(client, covered, offering):
    university("kita-u", "北大学")
    body = client.get(CATALOGUE).content.decode()
    assert "みなと大学" in body
    assert "北大学" in body
    assert "地域学入門" in body
    assert "LOC101" in body
    assert offering.course.title in body
    assert "45 hours (15 in class, 30 on your own)" in body
    assert "Recognises up to 60 credits" in body
    assert "S, A, B, C" in body
    assert "No courses count towards this university now." in body  # 北大学


def test_an_ended_agreement_is_not_in_the_catalogue(client, minato, clerk, covered):
    services.agreement_end(actor=clerk, agreement_id=covered.pk, valid_until=covered.valid_from)
    assert "LOC101" not in client.get(CATALOGUE).content.decode()


def test_the_catalogue_reads_in_japanese(client, settings, covered):
    settings.LANGUAGE_CODE = "ja"
    body = client.get(CATALOGUE).content.decode()
    assert "単位" in body


# --- My credit -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, minato, offering):
    for url in (MINE, _apply_url(offering, minato)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    response = client.post("/me/credit/applications/1/withdraw/")
    assert response["Location"].startswith("/login/")


def test_my_credit_offers_what_i_may_apply_for(client, learner, covered, offering, minato):
    client.force_login(learner)
    response = client.get(MINE)
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert f"?offering={offering.pk}&amp;university={minato.pk}" in body
    assert "No credit is recognised yet." in body
    assert "You have not applied for credit yet." in body


def test_nothing_to_apply_for_without_an_agreement(client, learner):
    client.force_login(learner)
    assert "Nothing to apply for now" in client.get(MINE).content.decode()


def test_my_credit_shows_totals_against_the_cap_and_downloads(
    client, learner, covered, offering, minato, clerk
):
    application = apply(learner, offering, minato)
    services.credit_decide(actor=clerk, application_id=application.pk, approve=True, grade="A")
    client.force_login(learner)
    body = client.get(MINE).content.decode()
    assert "1 of at most 60 credits" in body
    record = application.records.get()
    assert f"/api/v1/consortium/credit/{record.pk}/credential/" in body
    assert "/api/v1/consortium/credit/clr/" in body
    assert "/credentials/verify/" in body
    assert "Approved" in body
    # Applied and approved: no second offer to apply there.
    assert f"?offering={offering.pk}&amp;university={minato.pk}" not in body


def test_a_rejection_shows_its_reason_and_offers_to_apply_again(
    client, learner, covered, offering, minato, clerk
):
    application = apply(learner, offering, minato)
    services.credit_decide(
        actor=clerk, application_id=application.pk, approve=False, reason="Attendance too low"
    )
    client.force_login(learner)
    body = client.get(MINE).content.decode()
    assert "Rejected" in body
    assert "Attendance too low" in body
    assert f"?offering={offering.pk}&amp;university={minato.pk}" in body


def test_someone_else_sees_none_of_my_applications(client, learner, covered, offering, minato):
    apply(learner, offering, minato)
    client.force_login(ResidentFactory())
    body = client.get(MINE).content.decode()
    assert "You have not applied for credit yet." in body
    assert "Withdraw" not in body


# --- Applying ------------------------------------------------------------------------------------


def test_the_preview_shows_exactly_the_record_shared(client, learner, covered, offering, minato):
    client.force_login(learner)
    response = client.get(_apply_url(offering, minato))
    body = response.content.decode()
    assert response.status_code == 200
    assert learner.name in body
    assert offering.course.title in body
    assert "I agree to share exactly this record with みなと大学." in body
    assert _digest(learner, offering, minato) in body


def test_applying_with_consent_makes_the_application(client, learner, covered, offering, minato):
    client.force_login(learner)
    response = _post_apply(client, learner, offering, minato)
    assert response.status_code == 302
    assert response["Location"] == MINE
    application = CreditApplication.objects.get(resident=learner)
    assert application.status == "pending"
    body = client.get(MINE).content.decode()
    assert "Your application is sent to みなと大学" in body
    assert "Waiting for the registrar" in body
    assert "Withdraw" in body


def test_without_the_tick_nothing_is_applied_and_the_box_says_why(
    client, learner, covered, offering, minato
):
    client.force_login(learner)
    response = _post_apply(client, learner, offering, minato, consent=False)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Tick that you agree to share this record" in body
    assert 'aria-invalid="true"' in body
    assert not CreditApplication.objects.exists()


def test_a_changed_record_is_shown_again_with_the_reason(
    client, learner, covered, offering, minato
):
    client.force_login(learner)
    response = _post_apply(client, learner, offering, minato, digest="0" * 64)
    body = response.content.decode()
    assert response.status_code == 409
    assert "The record changed since it was shown to you" in body
    assert _digest(learner, offering, minato) in body  # the record as it is now, to consent to
    assert not CreditApplication.objects.exists()


def test_applying_twice_is_refused(client, learner, covered, offering, minato):
    digest = _digest(learner, offering, minato)
    apply(learner, offering, minato)
    client.force_login(learner)
    response = _post_apply(client, learner, offering, minato, digest=digest)
    assert response.status_code == 409
    assert "You already applied for this offering there." in response.content.decode()
    assert CreditApplication.objects.count() == 1


def test_not_completed_is_refused_on_the_page(client, covered, offering, minato):
    client.force_login(ResidentFactory())
    response = client.get(_apply_url(offering, minato))
    assert response.status_code == 409
    assert "only for an offering you completed" in response.content.decode()


def test_no_agreement_is_refused_on_the_page(client, learner, offering):
    other = university("kita-u", "北大学")
    client.force_login(learner)
    response = client.get(_apply_url(offering, other))
    assert response.status_code == 409
    assert "no credit agreement for this course" in response.content.decode()


def test_a_child_is_refused_adults_only_and_audited(client, offering, covered, minato):
    child = completed(offering, ChildFactory())
    client.force_login(child)
    response = client.get(_apply_url(offering, minato))
    assert response.status_code == 403
    assert "Only adults apply for university credit." in response.content.decode()
    assert AuditEvent.objects.filter(action="permission.denied").exists()
    assert "Only adults apply" in client.get(MINE).content.decode()


def test_an_unknown_university_or_bad_address_is_404(client, learner, offering):
    client.force_login(learner)
    assert client.get(f"{APPLY}?offering={offering.pk}&university=99999").status_code == 404
    assert client.get(f"{APPLY}?offering=x").status_code == 404


# --- Withdrawing ---------------------------------------------------------------------------------


def test_withdrawing_a_pending_application(client, learner, covered, offering, minato):
    application = apply(learner, offering, minato)
    client.force_login(learner)
    response = client.post(f"/me/credit/applications/{application.pk}/withdraw/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    body = client.get(MINE).content.decode()
    assert "Your application is withdrawn" in body
    assert "Consent withdrawn" in body


def test_a_decided_application_cannot_be_withdrawn(
    client, learner, covered, offering, minato, clerk
):
    application = apply(learner, offering, minato)
    services.credit_decide(actor=clerk, application_id=application.pk, approve=True, grade="A")
    client.force_login(learner)
    response = client.post(f"/me/credit/applications/{application.pk}/withdraw/", follow=True)
    application.refresh_from_db()
    assert application.status == "approved"
    assert response.redirect_chain[-1][0] == MINE


def test_another_residents_application_is_404(client, learner, covered, offering, minato):
    application = apply(learner, offering, minato)
    client.force_login(ResidentFactory())
    response = client.post(f"/me/credit/applications/{application.pk}/withdraw/")
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == "pending"


def test_withdraw_is_post_only(client, learner):
    client.force_login(learner)
    assert client.get("/me/credit/applications/1/withdraw/").status_code == 405


# --- My page -------------------------------------------------------------------------------------


def test_my_page_links_to_credit_and_for_registrars_to_their_pages(client, learner, clerk):
    client.force_login(learner)
    body = client.get("/me/").content.decode()
    assert 'href="/me/credit/"' in body
    assert 'href="/consortium/"' in body
    assert 'href="/registrar/"' not in body
    client.force_login(clerk)
    body = client.get("/me/").content.decode()
    assert 'href="/registrar/"' in body
    assert "Registrar of みなと大学" in body


def test_an_offering_not_yet_ended_is_not_offered(client, minato, clerk):
    from tests.courses.factories import OfferingFactory

    start = timezone.now() + timedelta(days=3)
    offering = OfferingFactory(sessions=[start], bears_credit=True)
    agreement(
        minato, offering, by=clerk, mismatch_reason="Field work", valid_from=timezone.localdate()
    )
    client.force_login(ResidentFactory())
    assert "Nothing to apply for now" in client.get(MINE).content.decode()
