"""A reading left empty gets one proposed: the pages fill it in and ask to check it, the services
refuse with the proposal in their message, and where a reading is optional (a resident's name,
by the API) the proposal is kept.  Nothing required is saved with a guessed reading unseen."""

import pytest
from django.urls import reverse

from campus_social.common.errors import Invalid
from campus_social.identity.models import Resident
from campus_social.search.readings import reading_for
from communities import services as community_services
from communities.models import Circle, Program
from courses import services as course_services
from courses.models import Course, Lecturer
from tests.communities.program_builders import coordinator_of, program_values, school
from tests.courses.factories import LecturerFactory
from tests.factories import DistrictFactory, ResidentFactory, make_city_staff, years_ago

pytestmark = pytest.mark.django_db

CHECK_IT = "We filled in a reading from the name. Please check it"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_a_name_keeps_its_space_and_a_latin_word_has_no_proposal():
    assert reading_for("中村 恵子") == "なかむら けいこ"
    assert reading_for("はじめての書道") == "はじめてのしょどう"
    assert reading_for("Scratch") == ""


APPLICATION = {
    "display_name": "陶芸 好子",
    "name_kana": "",
    "profile": "器を作って二十年。",
    "skills": "陶芸",
    "teaching_wishes": "はじめての陶芸",
}


def test_the_application_page_proposes_the_reading_and_saves_only_once_it_is_sent_again(
    signed_in_page,
):
    resident = ResidentFactory()
    client = signed_in_page(resident)

    shown = client.post(reverse("frontend:teach-apply"), APPLICATION)

    page = shown.content.decode()
    assert shown.status_code == 400
    assert 'value="とうげい よしこ"' in page
    assert CHECK_IT in page
    assert not Lecturer.objects.filter(resident=resident).exists()

    client.post(reverse("frontend:teach-apply"), {**APPLICATION, "name_kana": "とうげい よしこ"})
    assert Lecturer.objects.get(resident=resident).name_kana == "とうげい よしこ"


def test_a_reading_typed_in_is_kept_as_typed(signed_in_page):
    resident = ResidentFactory()
    signed_in_page(resident).post(
        reverse("frontend:teach-apply"), {**APPLICATION, "name_kana": "すえ よしこ"}
    )
    assert Lecturer.objects.get(resident=resident).name_kana == "すえ よしこ"


def test_the_course_form_proposes_the_titles_reading(signed_in_page):
    lecturer = LecturerFactory()
    shown = signed_in_page(lecturer.resident).post(
        reverse("frontend:teach-course-new"),
        {
            "title": "はじめての書道",
            "title_kana": "",
            "description": "筆の持ち方から。",
            "category": "arts",
            "level": "beginner",
            "audience": "adults",
            "language": "ja",
        },
    )
    assert shown.status_code == 400
    assert 'value="はじめてのしょどう"' in shown.content.decode()
    assert not Course.objects.filter(title="はじめての書道").exists()


def test_the_circle_form_proposes_the_names_reading(signed_in_page):
    district = DistrictFactory()
    shown = signed_in_page(ResidentFactory()).post(
        reverse("frontend:circle-new"),
        {
            "name": "東山さんぽの会",
            "name_kana": "",
            "district": district.pk,
            "visibility": "open",
            "topics": ["health"],
        },
    )
    assert shown.status_code == 400
    page = shown.content.decode()
    assert 'value="ひがしやまさんぽのかい"' in page
    assert CHECK_IT in page
    assert not Circle.objects.filter(name="東山さんぽの会").exists()


def test_a_title_with_no_reading_to_propose_asks_for_one(signed_in_page):
    lecturer = LecturerFactory()
    shown = signed_in_page(lecturer.resident).post(
        reverse("frontend:teach-course-new"),
        {
            "title": "Scratch",
            "title_kana": "",
            "description": "Games.",
            "category": "computing",
            "level": "beginner",
            "audience": "children",
            "language": "en",
        },
    )
    assert shown.status_code == 400
    assert "This field is required." in shown.content.decode()


def test_the_services_refuse_an_empty_reading_with_a_proposal():
    lecturer = LecturerFactory()
    with pytest.raises(Invalid) as course:
        course_services.course_create(
            actor=lecturer.resident,
            title="はじめての書道",
            title_kana="",
            description="筆の持ち方から。",
            category="arts",
            level="beginner",
            audience="adults",
        )
    assert course.value.fields["title_kana"] == [
        "Please give the reading in kana, for example “はじめてのしょどう” (check it first)."
    ]
    assert not Course.objects.exists()

    with pytest.raises(Invalid) as application:
        course_services.lecturer_apply(resident=ResidentFactory(), **APPLICATION)
    assert "とうげい よしこ" in application.value.fields["name_kana"][0]

    with pytest.raises(Invalid) as circle:
        community_services.circle_create(
            actor=ResidentFactory(),
            name="書道の輪",
            name_kana="",
            district_id=DistrictFactory().pk,
            topics=["arts"],
        )
    assert "しょどうのわ" in circle.value.fields["name_kana"][0]


def test_the_api_still_asks_for_a_required_reading(signed_in):
    response = signed_in(LecturerFactory().resident).post(
        "/api/v1/courses/",
        {
            "title": "はじめての書道",
            "title_kana": "",
            "description": "筆の持ち方から。",
            "category": "arts",
            "level": "beginner",
            "audience": "adults",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "title_kana" in response.json()["fields"]
    assert not Course.objects.exists()


def test_the_program_form_and_service_propose_the_titles_reading(signed_in_page):
    organisation = school()
    coordinator = coordinator_of(organisation)
    form = program_values(title="むかし遊びの会", title_kana="")
    form["district"] = form.pop("district_id")

    shown = signed_in_page(coordinator).post(
        reverse("frontend:program-new"), {**form, "school": organisation.pk}
    )
    assert shown.status_code == 400
    assert 'value="むかしあそびのかい"' in shown.content.decode()

    with pytest.raises(Invalid) as refused:
        community_services.program_create(
            actor=coordinator,
            school_id=organisation.pk,
            values=program_values(title="むかし遊びの会", title_kana=""),
        )
    assert "むかしあそびのかい" in refused.value.fields["title_kana"][0]
    assert not Program.objects.exists()


def test_staff_registering_a_resident_see_the_proposed_reading_first(signed_in_page):
    staff = make_city_staff()
    form = {
        "name": "鈴木 一郎",
        "given_name": "",
        "name_kana": "",
        "birth_date": years_ago(70).isoformat(),
        "card_id": "NEWCARD00001",
        "pin": "4321",
        "language": "ja",
    }
    shown = signed_in_page(staff).post(reverse("frontend:staff-resident-new"), form)
    assert shown.status_code == 400
    assert 'value="すずき いちろう"' in shown.content.decode()
    assert not Resident.objects.filter(name="鈴木 一郎").exists()


def test_the_api_keeps_the_proposed_reading_where_the_reading_is_optional(signed_in):
    response = signed_in(make_city_staff()).post(
        "/api/v1/staff/residents/",
        {
            "name": "鈴木 一郎",
            "birth_date": years_ago(70).isoformat(),
            "card_id": "NEWCARD00002",
            "pin": "4321",
        },
        format="json",
    )
    assert response.status_code == 201
    assert Resident.objects.get(name="鈴木 一郎").name_kana == "すずき いちろう"
