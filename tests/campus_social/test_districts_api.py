"""``GET /api/v1/districts/``: the codes (slugs) by which offerings, circles and their filters
name a district, for API clients that have no page to read them from."""

import pytest
from rest_framework.test import APIClient

from tests.factories import DistrictFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def test_a_signed_in_resident_lists_the_districts_by_reading_with_their_codes(signed_in):
    DistrictFactory(slug="minami", name="南地区", name_kana="みなみ")
    DistrictFactory(slug="kita", name="北地区", name_kana="きた")

    response = signed_in(ResidentFactory()).get("/api/v1/districts/")

    assert response.status_code == 200
    listed = [d for d in response.json() if d["slug"] in ("minami", "kita")]
    assert listed == [
        {"slug": "kita", "name": "北地区", "name_kana": "きた"},
        {"slug": "minami", "name": "南地区", "name_kana": "みなみ"},
    ]


def test_anonymous_callers_are_refused_the_districts():
    assert APIClient().get("/api/v1/districts/").status_code in (401, 403)


@pytest.mark.parametrize("rows", [2, 15])
def test_the_district_list_costs_the_same_queries_however_many_districts(
    django_assert_num_queries, rows, signed_in
):
    """Guards against a query per district (none today: keep it so if districts grow fields)."""
    DistrictFactory.create_batch(rows)
    client = signed_in(ResidentFactory())

    # session, resident, districts
    with django_assert_num_queries(3):
        response = client.get("/api/v1/districts/")

    assert len(response.json()) >= rows
