"""The schools pages without a browser: who gets them, and what they refuse."""

import pytest

from campus_social.identity import services
from campus_social.identity.models import GuardianLink, Organisation
from tests.factories import ChildFactory, OrganisationFactory, ResidentFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return OrganisationFactory(slug="sakura-es", name="桜台小学校", kind=Organisation.Kind.SCHOOL)


@pytest.fixture
def coordinator(school):
    return RoleFactory(organisation=school, role="coordinator").resident


def test_a_coordinator_of_one_school_goes_straight_to_its_pupils(
    coordinator, school, signed_in_page
):
    response = signed_in_page(coordinator).get("/schools/")
    assert response.status_code == 302
    assert response["Location"] == f"/schools/{school.pk}/pupils/"


def test_the_pupils_page_is_refused_to_a_resident_who_is_no_coordinator(school, signed_in_page):
    response = signed_in_page(ResidentFactory()).get(f"/schools/{school.pk}/pupils/")
    assert response.status_code == 403


def test_the_pupils_page_needs_a_signed_in_resident(school, client):
    response = client.get(f"/schools/{school.pk}/pupils/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_wrong_birth_date_shows_the_same_message_as_an_unknown_child(
    coordinator, school, signed_in_page
):
    child = ChildFactory()
    wrong = child.birth_date.replace(year=child.birth_date.year - 1)

    page = signed_in_page(coordinator)

    wrong_date = page.post(
        f"/schools/{school.pk}/pupils/",
        {"child": child.pk, "birth_date": wrong.isoformat(), "school_year": 3},
    )
    unknown = page.post(
        f"/schools/{school.pk}/pupils/",
        {"child": 99999, "birth_date": child.birth_date.isoformat(), "school_year": 3},
    )

    message = "該当する児童・生徒が見つかりません。番号と生年月日をご確認ください。"
    for response in (wrong_date, unknown):
        assert response.status_code == 400
        assert message in response.content.decode()


def test_another_coordinator_cannot_link_a_guardian_through_the_page(
    coordinator, school, signed_in_page
):
    child = ChildFactory()
    services.school_pupil_add(
        actor=coordinator,
        school_id=school.pk,
        child_id=child.pk,
        birth_date=child.birth_date,
        school_year=3,
    )
    other = RoleFactory(organisation=OrganisationFactory(kind="school"), role="coordinator")

    response = signed_in_page(other.resident).post(
        f"/schools/{school.pk}/pupils/{child.pk}/guardians/",
        {f"guardian-{child.pk}-guardian": ResidentFactory().pk},
    )

    assert response.status_code == 403
    assert not GuardianLink.objects.exists()


def test_a_child_is_not_offered_to_link_a_child_and_a_my_number_is_never_shown_back(
    school, signed_in_page
):
    child_page = signed_in_page(ChildFactory()).get("/me/").content.decode()
    response = signed_in_page(ResidentFactory()).post(
        "/schools/link-child/",
        {"school": school.pk, "child_number": "123456789018", "birth_date": "2016-05-01"},
    )

    assert "Link my child" not in child_page
    assert response.status_code == 400
    assert "123456789018" not in response.content.decode()


def test_answering_a_request_twice_says_it_was_answered_already(
    coordinator, school, signed_in_page
):
    child = ChildFactory()
    services.school_pupil_add(
        actor=coordinator,
        school_id=school.pk,
        child_id=child.pk,
        birth_date=child.birth_date,
        school_year=3,
    )
    request = services.guardian_link_request(
        actor=ResidentFactory(),
        school_id=school.pk,
        child_number=str(child.pk),
        birth_date=child.birth_date,
    )
    page = signed_in_page(coordinator)

    page.post(f"/schools/guardian-requests/{request.pk}/confirm/")
    again = page.post(f"/schools/guardian-requests/{request.pk}/decline/", follow=True)

    assert "この申し込みにはすでに回答しています。" in again.content.decode()
    assert GuardianLink.objects.filter(child=child).count() == 1
