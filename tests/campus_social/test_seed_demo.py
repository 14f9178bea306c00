"""``manage.py seed_demo``: the demo town, seeded once for this module, whose tests only read
(running it twice, or in production, is in ``test_commands.py``)."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from campus_social.identity import services
from campus_social.identity.management.commands import seed_demo
from campus_social.identity.models import (
    Card,
    District,
    GuardianLink,
    Organisation,
    OrganisationRole,
    Resident,
    SchoolPlacement,
)
from campus_social.identity.selectors import card_holder, child_grade, resident_is_city_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(module_db, django_db_blocker) -> str:
    """The demo town; what the command printed (see ``module_db``)."""
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", "--no-progress", stdout=out)
    return out.getvalue()


def sign_in(card_id: str, pin: str) -> Resident:
    request = RequestFactory().post("/")
    SessionMiddleware(lambda request: None).process_request(request)
    return services.card_login(request=request, card_id=card_id, pin=pin)


def test_seed_demo_builds_a_town_of_districts_organisations_and_residents(seeded):
    output = seeded

    assert District.objects.count() >= 8
    kinds = list(Organisation.objects.values_list("kind", flat=True))
    assert kinds.count(Organisation.Kind.CITY) >= 1
    assert kinds.count(Organisation.Kind.SCHOOL) >= 3
    assert kinds.count(Organisation.Kind.UNIVERSITY) >= 4
    assert Organisation.objects.filter(slug="city-office", kind="city").exists()
    residents = list(Resident.objects.all())
    assert len(residents) >= 250
    assert Card.objects.filter(retired_at__isnull=True).count() == len(residents)
    bands = [resident.age_band for resident in residents]
    assert 0.10 <= bands.count("child") / len(bands) <= 0.20
    assert 0.15 <= bands.count("senior") / len(bands) <= 0.25
    assert all(resident.name_kana for resident in residents)
    assert OrganisationRole.objects.filter(role="registrar").count() >= 4
    assert OrganisationRole.objects.filter(role="coordinator").count() >= 3
    for persona in seed_demo.PERSONAS:
        assert persona.card_id in output
        assert persona.pin in output


def test_seed_demo_links_every_child_to_an_adult_guardian(seeded):
    children = [resident for resident in Resident.objects.all() if resident.is_child]
    assert children
    for child in children:
        guardians = list(Resident.objects.filter(child_links__child=child))
        assert guardians, child.login_name
        assert all(guardian.age >= 18 for guardian in guardians)
        assert set(child.roles.values_list("role", flat=True)) <= {"member"}


def test_the_demo_schools_pupils_have_a_school_year_and_a_class_recorded_by_the_coordinator(
    seeded,
):
    school = Organisation.objects.get(slug="sakuradai-elementary")
    coordinator = card_holder(card_id="COORD001")
    pupils = SchoolPlacement.objects.filter(school=school)
    child = Resident.objects.get(name="佐藤 陽葵")

    assert pupils.count() >= 5
    assert all(1 <= p.school_year <= 6 and p.class_name in {"1組", "2組"} for p in pupils)
    assert {p.recorded_by_id for p in pupils} == {coordinator.pk}
    assert child_grade(child=child) == seed_demo.demo_school_year(
        child.birth_date, timezone.localdate()
    )


@pytest.mark.parametrize(
    ("birth", "today", "year"),
    [
        (date(2016, 5, 1), date(2026, 12, 7), 4),
        (date(2016, 4, 2), date(2026, 4, 1), 4),
        (date(2016, 4, 1), date(2026, 4, 1), 5),
        (date(2017, 1, 10), date(2026, 3, 31), 3),
    ],
)
def test_the_demo_school_year_follows_the_april_school_year(birth, today, year):
    assert seed_demo.demo_school_year(birth, today) == year


def test_every_persona_and_a_crowd_resident_can_sign_in_with_their_demo_card(seeded):
    for persona in seed_demo.PERSONAS:
        resident = sign_in(persona.card_id, persona.pin)
        assert resident.login_name == persona.login_name
        assert resident.age == persona.age
    assert sign_in("DEMO0001", seed_demo.CROWD_PIN).login_name == "demo-0001"


def test_the_personas_have_the_roles_and_guardian_the_demo_promises(seeded):
    child = Resident.objects.get(login_name="persona-child")
    guardian = Resident.objects.get(login_name="persona-guardian")
    assert child.is_child
    assert GuardianLink.objects.filter(guardian=guardian, child=child).exists()
    staff = Resident.objects.get(login_name="persona-staff")
    assert resident_is_city_staff(staff)
    assert not resident_is_city_staff(child)
    for persona in seed_demo.PERSONAS:
        resident = Resident.objects.get(login_name=persona.login_name)
        assert set(resident.roles.values_list("organisation__slug", "role")) == set(persona.roles)
