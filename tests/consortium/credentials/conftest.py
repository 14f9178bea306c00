import datetime as dt
import json
from decimal import Decimal

import pytest

from consortium.credentials import keys, selectors
from consortium.credentials.values import CreditClaim


@pytest.fixture
def issuer_key(settings) -> dict:
    """A signing key of this test's own (not the development key in var/)."""
    return use_test_key(settings)


def use_test_key(settings) -> dict:
    jwk = keys.generate_private_jwk()
    settings.CREDENTIAL_SIGNING_KEY = json.dumps(jwk)
    settings.CREDENTIAL_RETIRED_KEYS = ""
    settings.CREDENTIAL_ISSUER_URL = "https://campus.example.jp"
    return jwk


def make_claim(resident_id: int = 1, **overrides) -> CreditClaim:
    fields = {
        "learner_name": "山田 花子",
        "learner_id": selectors.learner_subject_id(resident_id=resident_id),
        "university_name": "港大学",
        "university_id": "https://minato-u.example.jp/",
        "subject_code": "LOC101",
        "subject_name": "地域史演習",
        "credits": Decimal("2"),
        "grade": "A",
        "course_title": "まちの歴史を歩く",
        "course_hours": 90,
        "awarded_on": dt.date(2026, 3, 15),
    }
    fields.update(overrides)
    return CreditClaim(**fields)
