"""Ids from clients are bounded to the database's 64-bit range in one place (issue #9, item 3):
past it a path answers 404 and a body or query parameter 400 — never a 500 from the driver."""

import pytest
from django.urls import reverse

from campus_social.common.ids import DB_INT_MAX, IdConverter, is_count, is_id
from tests.communities.factories import make_circle, organiser_of
from tests.courses.factories import OfferingFactory

HUGE_ID = 10**23


def test_the_bounds_are_those_of_a_signed_64_bit_integer():
    assert is_id(1)
    assert is_id(DB_INT_MAX)
    assert not any(is_id(value) for value in (0, -1, DB_INT_MAX + 1, HUGE_ID, True, "1", 1.0))
    assert is_count(0)
    assert not is_count(DB_INT_MAX + 1)
    with pytest.raises(ValueError, match="past the database's range"):
        IdConverter().to_python(str(DB_INT_MAX + 1))
    assert IdConverter().to_python(str(DB_INT_MAX)) == DB_INT_MAX


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [f"/api/v1/offerings/{HUGE_ID}/", f"/api/v1/circles/{HUGE_ID}/", f"/circles/{HUGE_ID}/"],
)
def test_a_path_with_an_id_past_the_range_answers_404(resident_api, path):
    assert resident_api.get(path).status_code == 404


@pytest.mark.django_db
def test_a_resident_query_parameter_past_the_range_answers_400(resident_api):
    offering = OfferingFactory()

    answer = resident_api.delete(
        reverse("courses:offering-enrolment", args=[offering.pk]) + f"?resident={HUGE_ID}"
    )

    assert answer.status_code == 400
    assert "resident" in answer.json()["fields"]


@pytest.mark.django_db
def test_a_resident_id_past_the_range_in_a_body_answers_400(api_client):
    circle = make_circle()
    api_client.force_login(organiser_of(circle))

    answer = api_client.post(
        reverse("communities:circle-invitations", args=[circle.pk]),
        {"resident_id": HUGE_ID},
        format="json",
    )

    assert answer.status_code == 400
    assert "resident_id" in answer.json()["fields"]
