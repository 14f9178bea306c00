"""The consortium API: the whole path from applying to credit, the refusals the issue names,
who may see what, and lists in a fixed number of queries."""

import pytest

from campus_social.audit.models import AuditEvent
from consortium import services
from consortium.models import CreditRecord
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

PRIVATE = [
    ("put", "/api/v1/consortium/universities/1/policy/"),
    ("get", "/api/v1/consortium/universities/1/agreements/"),
    ("post", "/api/v1/consortium/universities/1/agreements/"),
    ("get", "/api/v1/consortium/universities/1/queue/"),
    ("get", "/api/v1/consortium/universities/1/records/"),
    ("post", "/api/v1/consortium/agreements/1/end/"),
    ("get", "/api/v1/consortium/applications/"),
    ("post", "/api/v1/consortium/applications/"),
    ("get", "/api/v1/consortium/applications/preview/?offering=1&university=1"),
    ("get", "/api/v1/consortium/applications/1/"),
    ("post", "/api/v1/consortium/applications/1/withdraw/"),
    ("post", "/api/v1/consortium/applications/1/decision/"),
    ("get", "/api/v1/consortium/credit/"),
    ("post", "/api/v1/consortium/records/1/corrections/"),
    ("post", "/api/v1/consortium/records/1/decision/"),
]


@pytest.mark.parametrize(("method", "path"), PRIVATE)
def test_anonymous_callers_are_refused_everything_but_the_catalogue(api_client, method, path):
    assert getattr(api_client, method)(path).status_code == 401


def test_the_catalogue_and_universities_are_public(api_client):
    minato = university()
    offering = ended_offering()
    agreement(minato, offering)

    catalogue = api_client.get("/api/v1/consortium/catalogue/").json()
    universities = api_client.get("/api/v1/consortium/universities/").json()

    [entry] = catalogue["results"]
    assert entry["university"] == {"id": minato.pk, "name": "みなと大学"}
    assert entry["course"]["title"] == offering.course.title
    assert entry["course"]["class_hours"] == 15
    assert entry["credits"] == "1.0"
    assert universities["results"][0]["cap_credits"] == "60.0"


def test_from_applying_to_credit_through_the_api(signed_in):
    minato = university()
    clerk = registrar(minato)
    offering = ended_offering()
    learner = completed(offering)
    as_clerk, as_learner = signed_in(clerk), signed_in(learner)

    made = as_clerk.post(
        f"/api/v1/consortium/universities/{minato.pk}/agreements/",
        {
            "course_id": offering.course_id,
            "subject_code": "LOC101",
            "subject_name": "地域学入門",
            "credits": "1",
            "grading": "scale",
            "grades": ["S", "A", "B"],
            "valid_from": "2020-04-01",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()

    preview = as_learner.get(
        f"/api/v1/consortium/applications/preview/?offering={offering.pk}&university={minato.pk}"
    ).json()
    assert preview["record"]["sessions_attended"] == 2
    application = as_learner.post(
        "/api/v1/consortium/applications/",
        {
            "offering": offering.pk,
            "university": minato.pk,
            "consent": True,
            "digest": preview["digest"],
        },
        format="json",
    )
    assert application.status_code == 201, application.json()
    assert application.json()["shared_record"] == preview["record"]

    queue = as_clerk.get(f"/api/v1/consortium/universities/{minato.pk}/queue/").json()
    assert [item["id"] for item in queue["results"]] == [application.json()["id"]]
    assert queue["results"][0]["shared_record"]["lecturer_grade"] == "A"

    decided = as_clerk.post(
        f"/api/v1/consortium/applications/{application.json()['id']}/decision/",
        {"approve": True, "grade": "A"},
        format="json",
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "approved"

    credit = as_learner.get("/api/v1/consortium/credit/").json()
    assert [(r["subject_code"], r["credits"], r["grade"]) for r in credit["results"]] == [
        ("LOC101", "1.0", "A")
    ]


def test_applying_without_consent_answers_400_and_twice_409(signed_in):
    minato = university()
    offering = ended_offering()
    learner = completed(offering)
    agreement(minato, offering)
    client = signed_in(learner)
    preview = client.get(
        f"/api/v1/consortium/applications/preview/?offering={offering.pk}&university={minato.pk}"
    ).json()
    body = {"offering": offering.pk, "university": minato.pk, "digest": preview["digest"]}

    refused = client.post(
        "/api/v1/consortium/applications/", {**body, "consent": False}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "consent_required")
    assert (
        client.post(
            "/api/v1/consortium/applications/", {**body, "consent": True}, format="json"
        ).status_code
        == 201
    )
    twice = client.post(
        "/api/v1/consortium/applications/", {**body, "consent": True}, format="json"
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "already_applied")


def test_applying_without_completion_answers_409(signed_in):
    minato = university()
    offering = ended_offering()
    agreement(minato, offering)

    answer = signed_in(ResidentFactory()).post(
        "/api/v1/consortium/applications/",
        {"offering": offering.pk, "university": minato.pk, "consent": True, "digest": "x"},
        format="json",
    )

    assert (answer.status_code, answer.json()["code"]) == (409, "not_completed")


def test_another_residents_application_answers_404(signed_in):
    minato = university()
    offering = ended_offering()
    agreement(minato, offering)
    application = apply(completed(offering), offering, minato)
    other = signed_in(ResidentFactory())

    assert other.get(f"/api/v1/consortium/applications/{application.pk}/").status_code == 404
    assert (
        other.post(f"/api/v1/consortium/applications/{application.pk}/withdraw/").status_code == 404
    )


def test_a_resident_who_is_no_registrar_gets_403_and_another_universitys_registrar_404(
    signed_in,
):
    minato = university()
    offering = ended_offering()
    agreement(minato, offering)
    application = apply(completed(offering), offering, minato)
    outsider = signed_in(registrar(university("kita-u", "北大学")))
    resident = signed_in(ResidentFactory())

    for client, expected in ((outsider, 404), (resident, 403)):
        for path in ("queue", "records", "agreements"):
            answer = client.get(f"/api/v1/consortium/universities/{minato.pk}/{path}/")
            assert answer.status_code == expected, path
        decision = client.post(
            f"/api/v1/consortium/applications/{application.pk}/decision/",
            {"approve": True, "grade": "A"},
            format="json",
        )
        assert decision.status_code == expected
    assert not CreditRecord.objects.exists()
    assert AuditEvent.objects.filter(action="consortium.registrar_refused").count() == 4


def test_a_correction_through_the_api_needs_a_second_registrar(signed_in):
    minato = university()
    first, second = registrar(minato), registrar(minato)
    offering = ended_offering()
    agreement(minato, offering, by=first)
    application = apply(completed(offering), offering, minato)
    signed_in(first).post(
        f"/api/v1/consortium/applications/{application.pk}/decision/",
        {"approve": True, "grade": "B"},
        format="json",
    )
    record = CreditRecord.objects.get()

    proposal = signed_in(first).post(
        f"/api/v1/consortium/records/{record.pk}/corrections/",
        {"credits": "1", "grade": "A", "reason": "採点の誤り"},
        format="json",
    )
    assert proposal.status_code == 201, proposal.json()
    pid = proposal.json()["id"]
    own = signed_in(first).post(
        f"/api/v1/consortium/records/{pid}/decision/", {"approve": True}, format="json"
    )
    assert (own.status_code, own.json()["code"]) == (403, "second_registrar_needed")
    settled = signed_in(second).post(
        f"/api/v1/consortium/records/{pid}/decision/", {"approve": True}, format="json"
    )
    assert settled.status_code == 201
    assert settled.json()["status"] == "effective"


def test_a_malformed_agreement_answers_400_and_stores_nothing(signed_in):
    minato = university()
    answer = signed_in(registrar(minato)).post(
        f"/api/v1/consortium/universities/{minato.pk}/agreements/",
        {"course_id": "x", "credits": "one", "grading": "letters"},
        format="json",
    )

    assert answer.status_code == 400
    assert {"course_id", "credits", "grading", "valid_from"} <= set(answer.json()["fields"])


def _many_applications(minato, count: int) -> None:
    """``count`` approved applications and as many pending."""
    for _n in range(count):
        for decide in (True, False):
            offering = ended_offering()
            agreement(minato, offering)
            application = apply(completed(offering), offering, minato)
            if decide:
                services.credit_decide(
                    actor=registrar(minato), application_id=application.pk, approve=True, grade="A"
                )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/consortium/catalogue/",
        "/api/v1/consortium/universities/",
        "/api/v1/consortium/universities/{u}/agreements/",
        "/api/v1/consortium/universities/{u}/records/",
        "/api/v1/consortium/universities/{u}/queue/",
    ],
)
def test_lists_ask_a_fixed_number_of_queries(
    signed_in, django_assert_num_queries, django_assert_max_num_queries, path
):
    minato = university()
    clerk = registrar(minato)
    client = signed_in(clerk)
    url = path.format(u=minato.pk)
    _many_applications(minato, 1)
    with django_assert_max_num_queries(50) as one:
        assert client.get(url).status_code == 200
    _many_applications(minato, 3)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_my_lists_ask_a_fixed_number_of_queries(signed_in, django_assert_max_num_queries):
    minato = university()
    learner = ResidentFactory()
    client = signed_in(learner)

    def one_more() -> None:
        offering = ended_offering()
        agreement(minato, offering)
        apply(completed(offering, learner), offering, minato)

    one_more()
    counts = []
    for _round in range(2):
        for path in ("/api/v1/consortium/applications/", "/api/v1/consortium/credit/"):
            with django_assert_max_num_queries(50) as seen:
                assert client.get(path).status_code == 200
            counts.append(len(seen.captured_queries))
        one_more()
        one_more()
    assert counts[:2] == counts[2:]
