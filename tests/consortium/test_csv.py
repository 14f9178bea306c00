"""The registrars' CSV export: its layout, what it holds, who may download it, spreadsheet
formulas neutralised, and a fixed number of queries."""

import csv
import io

import pytest
from django.utils import timezone

from consortium import services
from consortium.rest_api.csv_views import COLUMNS, cell
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


def _rows(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def _approved(at, clerk, *, name: str = "山田 花子", grade: str = "A"):
    offering = ended_offering()
    agreement(at, offering, by=clerk)
    learner = completed(offering, ResidentFactory(name=name))
    application = apply(learner, offering, at)
    services.credit_decide(actor=clerk, application_id=application.pk, approve=True, grade=grade)
    return application


def test_the_export_has_the_documented_layout(signed_in):
    minato = university()
    clerk = registrar(minato)
    _approved(minato, clerk)

    response = signed_in(clerk).get(f"/api/v1/consortium/universities/{minato.pk}/records.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="credit-records-')
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode("utf-8")
    assert text.splitlines()[0] == "\ufeff" + ",".join(COLUMNS)
    assert text.endswith("\r\n")


def test_the_export_holds_each_entry_with_its_corrections(signed_in):
    minato = university()
    clerk, second = registrar(minato), registrar(minato)
    application = _approved(minato, clerk)
    application.refresh_from_db()
    original = application.records.get()
    proposal = services.correction_propose(
        actor=clerk, record_id=original.pk, credits="1.5", grade="S", reason="採点の誤り"
    )
    settled = services.correction_decide(actor=second, record_id=proposal.pk, approve=True)

    rows = _rows(signed_in(clerk).get(f"/api/v1/consortium/universities/{minato.pk}/records.csv"))

    assert [row["record_id"] for row in rows] == [
        str(original.pk),
        str(proposal.pk),
        str(settled.pk),
    ]
    first, _proposed, correction = rows
    assert first == {
        "record_id": str(original.pk),
        "application_id": str(application.pk),
        "resident_name": "山田 花子",
        "subject_code": "LOC101",
        "subject_name": "地域学入門",
        "credits": "1.0",
        "grade": "A",
        "kind": "original",
        "status": "effective",
        "in_force": "no",
        "corrects_record_id": "",
        "completed_on": application.shared_record["completed_on"],
        "decided_on": timezone.localdate(application.decided_at).isoformat(),
        "recorded_on": timezone.localdate(original.created_at).isoformat(),
        "entered_by": clerk.name,
        "approved_by": clerk.name,
        "reason": "",
    }
    assert correction["kind"] == "correction"
    assert correction["credits"] == "1.5"
    assert correction["grade"] == "S"
    assert correction["in_force"] == "yes"
    assert correction["corrects_record_id"] == str(original.pk)
    assert correction["entered_by"] == clerk.name
    assert correction["approved_by"] == second.name
    assert correction["reason"] == "採点の誤り"


def test_only_records_shared_with_the_university_are_exported(signed_in):
    minato, kita = university(), university(slug="kita-u", name="北大学")
    clerk, other = registrar(minato), registrar(kita)
    _approved(minato, clerk, name="山田 花子")
    _approved(kita, other, name="佐藤 太郎")

    rows = _rows(signed_in(clerk).get(f"/api/v1/consortium/universities/{minato.pk}/records.csv"))

    assert [row["resident_name"] for row in rows] == ["山田 花子"]


def test_another_universitys_registrar_gets_404_and_anyone_else_is_refused(signed_in, api_client):
    minato, kita = university(), university(slug="kita-u", name="北大学")
    _approved(minato, registrar(minato))
    url = f"/api/v1/consortium/universities/{minato.pk}/records.csv"

    assert signed_in(registrar(kita)).get(url).status_code == 404
    assert signed_in(ResidentFactory()).get(url).status_code == 403
    assert api_client.get(url).status_code == 401


def test_spreadsheet_formulas_are_neutralised(signed_in):
    minato = university()
    clerk = registrar(minato)
    _approved(minato, clerk, name='=HYPERLINK("http://evil")')

    [row] = _rows(signed_in(clerk).get(f"/api/v1/consortium/universities/{minato.pk}/records.csv"))

    assert row["resident_name"] == '\'=HYPERLINK("http://evil")'
    assert [cell(v) for v in ("+1", "-1", "@SUM(A1)", "\tx", "ok", "1.0")] == [
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        "1.0",
    ]


def test_the_export_asks_a_fixed_number_of_queries(signed_in, django_assert_max_num_queries):
    minato = university()
    clerk = registrar(minato)
    client = signed_in(clerk)
    url = f"/api/v1/consortium/universities/{minato.pk}/records.csv"
    _approved(minato, clerk)
    with django_assert_max_num_queries(30) as one:
        assert client.get(url).status_code == 200
    for _more in range(3):
        _approved(minato, registrar(minato))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(_rows(client.get(url))) == 4
