"""A registrar's decisions from a CSV file: all rows checked first, then all decided or none;
a malformed file names each bad line and changes nothing; a refusal (over the cap) names its
line and undoes the rows before it; another university's registrar and the anonymous are
refused."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campus_social.audit.models import AuditEvent
from consortium import services
from consortium.models import CreditApplication, CreditRecord
from consortium.values import ApplicationStatus
from tests.consortium.builders import (
    agreement,
    apply,
    completed,
    ended_offering,
    registrar,
    university,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The messages are read in their English source."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def scene():
    minato = university()
    clerk = registrar(minato)
    offering = ended_offering()
    agreement(minato, offering, by=clerk)
    applications = [apply(completed(offering), offering, minato) for _ in range(3)]
    return minato, clerk, applications


def csv_of(*lines: str, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode()


def post(client, minato, data: bytes):
    return client.post(
        f"/api/v1/consortium/universities/{minato.pk}/decisions.csv",
        {"file": SimpleUploadedFile("decisions.csv", data, content_type="text/csv")},
        format="multipart",
    )


def test_a_registrar_decides_many_applications_from_a_file(scene, signed_in):
    minato, clerk, (first, second, third) = scene

    response = post(
        signed_in(clerk),
        minato,
        csv_of(
            "application_id,decision,grade,reason",
            f"{first.pk},approve,A,",
            f'{second.pk},reject,,"本学の在籍確認ができませんでした。"',
        ),
    )

    assert response.status_code == 200, response.json()
    assert [row["status"] for row in response.json()] == ["approved", "rejected"]
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (first.status, second.status, third.status) == ("approved", "rejected", "pending")
    assert CreditRecord.objects.get(application=first).grade == "A"
    event = AuditEvent.objects.get(action="consortium.decisions_imported")
    assert event.detail == {"approved": 1, "rejected": 1}


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (("id,decision,grade,reason", "{a},approve,A,"), "Line 1 must be the header"),
        (("application_id,decision,grade,reason", "{a},approve,,"), "needs a grade"),
        (("application_id,decision,grade,reason", "{a},reject,,"), "needs a reason"),
        (("application_id,decision,grade,reason", "{a},maybe,A,"), "approve or reject"),
        (("application_id,decision,grade,reason", "x,approve,A,"), "not a number"),
        (("application_id,decision,grade,reason", "{a},approve,A"), "columns"),
        (
            ("application_id,decision,grade,reason", "{a},approve,A,", "{a},reject,,no"),
            "named twice",
        ),
        (("application_id,decision,grade,reason", "99999,approve,A,"), "no pending application"),
    ],
)
def test_a_malformed_file_names_the_line_and_nothing_is_decided(scene, signed_in, lines, problem):
    minato, clerk, applications = scene
    good = f"{applications[1].pk},approve,A,"
    rows = [line.format(a=applications[0].pk) for line in lines]

    response = post(signed_in(clerk), minato, csv_of(*rows[:1], good, *rows[1:]))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malformed_csv"
    assert problem in " ".join(body["fields"]["file"])
    assert not CreditApplication.objects.exclude(status=ApplicationStatus.PENDING).exists()
    assert not CreditRecord.objects.exists()
    assert AuditEvent.objects.filter(action="consortium.decisions_import_refused").exists()


@pytest.mark.parametrize("data", [b"\xff\xfe not utf-8", b"", b"application_id,decision\n"])
def test_a_file_that_is_not_the_csv_layout_is_refused(scene, signed_in, data):
    minato, clerk, _applications = scene

    response = post(signed_in(clerk), minato, data)

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_csv"
    assert not CreditRecord.objects.exists()


def test_a_row_over_the_cap_undoes_the_rows_before_it_and_names_its_line(scene, signed_in):
    minato, clerk, (first, second, _third) = scene
    services.policy_set(
        actor=clerk,
        university_id=minato.pk,
        cap_credits="1",
        rounding="half_up",
        rounding_step="0.5",
    )
    # The second learner already holds a credit there: one more goes past the cap of 1.
    other = ended_offering()
    agreement(minato, other, by=clerk, subject_code="LOC102")
    earlier = apply(completed(other, second.resident), other, minato)
    services.credit_decide(actor=clerk, application_id=earlier.pk, approve=True, grade="A")

    response = post(
        signed_in(clerk),
        minato,
        csv_of(
            "application_id,decision,grade,reason",
            f"{first.pk},approve,A,",
            f"{second.pk},approve,B,",
        ),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "over_cap"
    assert response.json()["detail"].startswith("Line 3")
    first.refresh_from_db()
    assert first.status == ApplicationStatus.PENDING
    assert CreditRecord.objects.count() == 1  # the earlier credit only
    assert Decimal(CreditRecord.objects.get().credits) == Decimal("1")


def test_another_universitys_registrar_and_the_anonymous_are_refused(scene, signed_in, api_client):
    minato, _clerk, applications = scene
    stranger = registrar(university(slug="other-u", name="よその大学"))
    data = csv_of("application_id,decision,grade,reason", f"{applications[0].pk},approve,A,")

    assert post(signed_in(stranger), minato, data).status_code == 404
    assert post(api_client, minato, data).status_code in (401, 403)
    assert not CreditRecord.objects.exists()
