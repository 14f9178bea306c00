"""What search is told about circles and programs (``communities.search``,
``communities.program_search``), and who may find them: the directory's and ``program_list``'s
rules, reproduced as access keys."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campus_social.search import registry
from campus_social.search.documents import PUBLIC
from communities import program_selectors, selectors, services
from communities.models import Circle, ProgramChild
from communities.program_search import programs
from communities.search import circles
from tests.communities.builders import circle_for_children, guardian_with_child
from tests.communities.factories import make_circle, organiser_of
from tests.communities.program_builders import (
    coordinator_of,
    program_values,
    running_program,
    school,
)
from tests.factories import ChildFactory, DistrictFactory, ResidentFactory, make_city_staff

pytestmark = pytest.mark.django_db


def findable_ids(source, viewer) -> set[int]:
    keys = source.access_keys(viewer) | {PUBLIC}
    return {doc.object_id for doc in source.documents() if keys & set(doc.access)}


def test_communities_register_circles_and_programs():
    assert registry.source("circle") is circles
    assert registry.source("program") is programs


# --- Circles --------------------------------------------------------------------------------------


def test_a_circle_is_described_by_its_name_reading_topics_district_and_description():
    district = DistrictFactory(slug="higashiyama", name="東山", name_kana="ひがしやま")
    circle = make_circle(
        name="東山さんぽの会",
        name_kana="ひがしやまさんぽのかい",
        description="月に二回、朝の東山を歩きます。",
        district_id=district.pk,
        topics=["health", "nature"],
    )

    (doc,) = circles.documents_for([circle.pk])

    assert doc.title == "東山さんぽの会"
    assert doc.reading == "ひがしやまさんぽのかい"
    assert doc.body == "月に二回、朝の東山を歩きます。"
    for word in ("東山", "ひがしやま", "Health and exercise", "Nature and gardening"):
        assert word in doc.keywords
    assert doc.url == f"/circles/{circle.pk}/"
    assert doc.facets == {
        "category": ("health", "nature"),
        "district": ("higashiyama",),
        "audience": ("adults",),
    }


def test_a_closed_circle_has_no_document():
    circle = make_circle()
    services.circle_close(actor=organiser_of(circle), circle_id=circle.pk)
    assert list(circles.documents_for([circle.pk])) == []
    assert circles.count() == 0


def test_an_invite_only_circle_is_only_for_those_in_it():
    circle = make_circle(visibility=Circle.Visibility.INVITE_ONLY)
    (doc,) = circles.documents_for([circle.pk])
    assert doc.access == (f"circle:{circle.pk}",)


def _directory_ids(actor) -> set[int]:
    return {c.pk for c in selectors.circle_directory(actor=actor)}


def test_every_viewer_finds_exactly_the_circles_the_directory_shows_them():
    organiser = ResidentFactory()
    open_circle = make_circle(organiser=organiser)
    moderated = make_circle(organiser=organiser, visibility=Circle.Visibility.MODERATED)
    secret = make_circle(organiser=organiser, visibility=Circle.Visibility.INVITE_ONLY)
    for_children = circle_for_children()
    secret_for_children = circle_for_children(visibility=Circle.Visibility.INVITE_ONLY)
    closed = make_circle()
    services.circle_close(actor=organiser_of(closed), circle_id=closed.pk)

    invited, asking, outsider = ResidentFactory(), ResidentFactory(), ResidentFactory()
    services.circle_invite(actor=organiser, circle_id=secret.pk, resident_id=invited.pk)
    # An invite-only circle takes no requests: ask to join the moderated one instead.
    services.circle_join(actor=asking, circle_id=moderated.pk)
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=for_children.pk, resident_id=link.child_id)
    lone_child = ChildFactory()

    viewers = {
        "organiser": organiser,
        "invited": invited,
        "asking": asking,
        "outsider": outsider,
        "guardian": link.guardian,
        "child": link.child,
        "lone child": lone_child,
        "staff": make_city_staff(),
    }
    for name, viewer in viewers.items():
        assert findable_ids(circles, viewer) == _directory_ids(viewer), name

    assert secret.pk in findable_ids(circles, invited)
    assert secret.pk not in findable_ids(circles, outsider)
    assert for_children.pk in findable_ids(circles, lone_child)
    assert open_circle.pk not in findable_ids(circles, lone_child)
    assert secret_for_children.pk not in findable_ids(circles, lone_child)


def test_a_guardian_finds_the_invite_only_circle_their_child_is_in():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child_id)
    # The circle closes its doors later: the child stays a member.
    Circle.objects.filter(pk=circle.pk).update(visibility=Circle.Visibility.INVITE_ONLY)

    assert circle.pk in _directory_ids(link.guardian)
    assert circle.pk in findable_ids(circles, link.guardian)
    assert circle.pk in findable_ids(circles, link.child)
    assert circle.pk not in findable_ids(circles, ResidentFactory())
    assert circle.pk not in findable_ids(circles, ChildFactory())


def test_nobody_signed_out_finds_a_circle():
    make_circle()
    assert circles.access_keys(None) == set()
    assert findable_ids(circles, None) == set()


def test_circle_documents_read_a_chunk_in_the_same_number_of_queries(
    django_assert_max_num_queries,
):
    make_circle()
    with django_assert_max_num_queries(3) as few:
        list(circles.documents(chunk_size=50))
    for _ in range(8):
        make_circle()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(list(circles.documents(chunk_size=50))) == 9


# --- Programs -------------------------------------------------------------------------------------


def test_a_program_is_described_by_its_title_reading_theme_school_and_district():
    running = running_program(
        title="むかしあそびの会",
        title_kana="むかしあそびのかい",
        description="けん玉、お手玉、こま回しを教わります。",
    )
    (doc,) = programs.documents_for([running.program.pk])

    assert doc.title == "むかしあそびの会"
    assert doc.reading == "むかしあそびのかい"
    assert doc.body == "けん玉、お手玉、こま回しを教わります。"
    assert "みどり小学校" in doc.keywords
    assert "History and local culture" in doc.keywords
    assert doc.url == f"/programs/{running.program.pk}/"
    local_start = timezone.localtime(running.session.starts_at)
    assert doc.facets["weekday"] == (str(local_start.isoweekday()),)
    assert doc.facets["category"] == ("history",)


def test_every_viewer_finds_exactly_the_programs_program_list_shows_them():
    running = running_program()
    organisation = school()
    drafter = coordinator_of(organisation)
    draft = services.program_create(
        actor=drafter, school_id=organisation.pk, values=program_values(title="下書き")
    )
    ended = running_program()
    services.program_end(actor=ended.coordinator, program_id=ended.program.pk)
    taking_part = ChildFactory()
    ProgramChild.objects.create(program=running.program, child=taking_part)
    left = ChildFactory()
    ProgramChild.objects.create(program=ended.program, child=left, left_at=timezone.now())

    viewers = {
        "coordinator": running.coordinator,
        "drafter": drafter,
        "adult": ResidentFactory(),
        "staff": make_city_staff(),
        "child taking part": taking_part,
        "child who left": left,
        "other child": ChildFactory(),
    }
    for name, viewer in viewers.items():
        expected = {p.pk for p in program_selectors.program_list(actor=viewer)}
        assert findable_ids(programs, viewer) == expected, name

    assert draft.pk in findable_ids(programs, drafter)
    assert draft.pk not in findable_ids(programs, running.coordinator)
    assert findable_ids(programs, taking_part) == {running.program.pk}
    assert findable_ids(programs, None) == set()


def test_program_documents_read_a_chunk_in_the_same_number_of_queries(
    django_assert_max_num_queries,
):
    running_program()
    with django_assert_max_num_queries(3) as few:
        list(programs.documents(chunk_size=50))
    for _ in range(5):
        running_program(starts_on=(timezone.localdate() + timedelta(days=1)).isoformat())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(list(programs.documents(chunk_size=50))) == 6
