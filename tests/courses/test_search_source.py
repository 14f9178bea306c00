"""What search is told about offerings and lecturers (``courses.search``), and who may find
them: the catalogue's rule, reproduced as access keys."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campus_social.search import registry
from campus_social.search.documents import PUBLIC
from courses import selectors
from courses.models import Audience, Category, Lecturer, Offering
from courses.search import lecturers, offerings
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import ChildFactory, DistrictFactory, ResidentFactory, SeniorFactory

pytestmark = pytest.mark.django_db


def findable_ids(source, viewer) -> set[int]:
    """What ``viewer`` could find of ``source``: documents sharing one of the viewer's keys."""
    keys = source.access_keys(viewer) | {PUBLIC}
    return {doc.object_id for doc in source.documents() if keys & set(doc.access)}


def test_the_apps_register_offerings_and_lecturers():
    assert registry.source("offering") is offerings
    assert registry.source("lecturer") is lecturers


def test_an_offering_is_described_by_its_course_lecturers_district_and_schedule():
    district = DistrictFactory(slug="chuo", name="中央", name_kana="ちゅうおう")
    lecturer = LecturerFactory(display_name="中村 恵子", name_kana="なかむら けいこ")
    course = CourseFactory(
        title="季節の野菜でつくる家庭料理",
        title_kana="きせつのやさいでつくるかていりょうり",
        description="旬の野菜で三品つくります。",
        category=Category.COOKING,
        audience=Audience.ADULTS,
        owner=lecturer,
    )
    # Next Monday and Wednesday, 10:00 in the site's time zone.
    today = timezone.localtime()
    monday = (today + timedelta(days=7 - today.weekday())).replace(hour=10, minute=0)
    offering = OfferingFactory(
        course=course,
        district=district,
        fee_yen=0,
        bears_credit=True,
        sessions=[monday, monday + timedelta(days=2)],
    )

    (doc,) = offerings.documents_for([offering.pk])

    assert doc.kind == "offering"
    assert doc.key == f"offering:{offering.pk}"
    assert doc.title == "季節の野菜でつくる家庭料理"
    assert doc.reading == "きせつのやさいでつくるかていりょうり"
    assert doc.body == "旬の野菜で三品つくります。"
    for word in ("中村 恵子", "なかむら けいこ", "料理", "Cooking", "中央", "ちゅうおう"):
        assert word in doc.keywords
    assert doc.url == f"/courses/offerings/{offering.pk}/"
    assert doc.facets == {
        "category": ("cooking",),
        "district": ("chuo",),
        "audience": ("adults",),
        "weekday": ("1", "3"),
        "free": ("yes",),
        "credit": ("yes",),
    }
    assert doc.rank_date == offering.first_session_at


def test_a_paid_offering_without_credit_says_no_to_both():
    offering = OfferingFactory(fee_yen=1500, bears_credit=False)
    (doc,) = offerings.documents_for([offering.pk])
    assert doc.facets["free"] == ("no",)
    assert doc.facets["credit"] == ("no",)


def test_a_cancelled_session_gives_no_weekday():
    offering = OfferingFactory()
    offering.sessions.update(cancelled_at=timezone.now())
    (doc,) = offerings.documents_for([offering.pk])
    assert doc.facets["weekday"] == ()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"status": Offering.Status.DRAFT}, id="draft"),
        pytest.param({"status": Offering.Status.CANCELLED}, id="cancelled"),
        pytest.param({"last_session_ends_at": "past"}, id="ended"),
    ],
)
def test_an_offering_not_in_the_catalogue_has_no_document(change):
    offering = OfferingFactory()
    if change.get("last_session_ends_at") == "past":
        change = {"last_session_ends_at": timezone.now() - timedelta(hours=1)}
    Offering.objects.filter(pk=offering.pk).update(**change)

    assert list(offerings.documents_for([offering.pk])) == []
    assert offering.pk not in {doc.object_id for doc in offerings.documents()}


def test_documents_and_count_list_what_the_catalogue_lists():
    shown = [OfferingFactory() for _ in range(3)]
    OfferingFactory(status=Offering.Status.DRAFT)
    assert offerings.count() == 3
    assert {doc.object_id for doc in offerings.documents(chunk_size=2)} == {o.pk for o in shown}


@pytest.mark.parametrize("audience", list(Audience.values))
@pytest.mark.parametrize("who", ["anonymous", "adult", "senior", "child"])
def test_a_viewer_finds_exactly_the_offerings_the_catalogue_shows_them(audience, who):
    for each in Audience.values:
        OfferingFactory(course=CourseFactory(audience=each))
    viewer = {
        "anonymous": lambda: None,
        "adult": ResidentFactory,
        "senior": SeniorFactory,
        "child": ChildFactory,
    }[who]()

    catalogue = {o.pk for o in selectors.offering_list(viewer=viewer)}
    assert findable_ids(offerings, viewer) == catalogue
    assert len(catalogue) == (2 if who == "child" else 4)


def test_offerings_are_never_public_so_children_cannot_see_adult_courses():
    offering = OfferingFactory(course=CourseFactory(audience=Audience.ADULTS))
    (doc,) = offerings.documents_for([offering.pk])
    assert PUBLIC not in doc.access
    assert not set(doc.access) & offerings.access_keys(ChildFactory())


def test_documents_read_a_chunk_in_the_same_number_of_queries_however_many_rows(
    django_assert_max_num_queries,
):
    for _ in range(2):
        OfferingFactory(sessions=[timezone.now() + timedelta(days=d) for d in (1, 2)])
    with django_assert_max_num_queries(8) as few:
        list(offerings.documents(chunk_size=100))
    for _ in range(12):
        OfferingFactory(sessions=[timezone.now() + timedelta(days=d) for d in (1, 2)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        docs = list(offerings.documents(chunk_size=100))
    assert len(docs) == 14


# --- Lecturers ------------------------------------------------------------------------------------


def test_an_approved_lecturer_is_found_by_name_reading_skills_and_offered_courses():
    lecturer = LecturerFactory(
        display_name="中村 恵子",
        name_kana="なかむら けいこ",
        skills="調理師",
        profile="港町で食堂を営んでいます。",
    )
    OfferingFactory(course=CourseFactory(owner=lecturer, title="家庭料理"))
    OfferingFactory(
        course=CourseFactory(owner=lecturer, title="まだ下書きの講座"),
        status=Offering.Status.DRAFT,
    )

    (doc,) = lecturers.documents_for([lecturer.pk])

    assert doc.title == "中村 恵子"
    assert doc.reading == "なかむら けいこ"
    assert "家庭料理" in doc.keywords
    assert "調理師" in doc.keywords
    assert "下書き" not in doc.keywords  # a course never published is the lecturer's draft
    assert doc.body == "港町で食堂を営んでいます。"
    assert doc.url == f"/courses/?lecturer={lecturer.pk}"
    assert doc.access == (PUBLIC,)


@pytest.mark.parametrize("status", [Lecturer.Status.PENDING, Lecturer.Status.DECLINED])
def test_a_lecturer_not_approved_is_not_findable(status):
    lecturer = LecturerFactory(status=status)
    assert list(lecturers.documents_for([lecturer.pk])) == []
    assert lecturers.count() == 0


def test_lecturers_read_a_chunk_in_the_same_number_of_queries(django_assert_max_num_queries):
    OfferingFactory()
    with django_assert_max_num_queries(3) as few:
        list(lecturers.documents(chunk_size=50))
    for _ in range(10):
        OfferingFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(list(lecturers.documents(chunk_size=50))) == 11
