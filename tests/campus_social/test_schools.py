"""A child's school and school year, recorded by the school; guardians the school confirms."""

import pytest
from django.utils import translation

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.identity import selectors, services
from campus_social.identity.models import GuardianLink, GuardianLinkRequest, Organisation
from campus_social.notifications.models import Notification
from campus_social.safeguarding.selectors import visible_grade, visible_grades
from tests.factories import (
    ChildFactory,
    GuardianLinkFactory,
    OrganisationFactory,
    ResidentFactory,
    RoleFactory,
    make_city_staff,
)

pytestmark = pytest.mark.django_db

MY_NUMBER = "123456789018"  # 12 digits with a valid check digit


@pytest.fixture
def school():
    return OrganisationFactory(slug="sakura-es", name="桜台小学校", kind=Organisation.Kind.SCHOOL)


@pytest.fixture
def coordinator(school):
    return RoleFactory(organisation=school, role="coordinator").resident


@pytest.fixture
def child():
    return ChildFactory()


def place(coordinator, school, child, *, school_year=3, class_name="2組"):
    return services.school_pupil_add(
        actor=coordinator,
        school_id=school.pk,
        child_id=child.pk,
        birth_date=child.birth_date,
        school_year=school_year,
        class_name=class_name,
    )


# --- The school year and class ----------------------------------------------------------------


def test_a_coordinator_records_a_childs_school_year_and_class_and_it_is_audited(
    coordinator, school, child
):
    placement = place(coordinator, school, child)

    assert (placement.school, placement.school_year, placement.class_name) == (school, 3, "2組")
    assert selectors.child_grade(child=child) == 3
    event = AuditEvent.objects.get(action="school.pupil_added")
    assert (event.actor_id, event.target_id, event.detail) == (
        coordinator.pk,
        str(child.pk),
        {"school": school.pk, "school_year": 3},
    )


def test_city_staff_may_record_a_pupil_too(school, child):
    assert place(make_city_staff(), school, child).school == school


@pytest.mark.parametrize(
    "who", ["resident", "coordinator of another school", "teacher of the school"]
)
def test_only_the_schools_coordinators_record_its_pupils(school, child, who):
    actor = {
        "resident": lambda: ResidentFactory(),
        "coordinator of another school": lambda: (
            RoleFactory(
                organisation=OrganisationFactory(kind="school"), role="coordinator"
            ).resident
        ),
        "teacher of the school": lambda: RoleFactory(organisation=school, role="teacher").resident,
    }[who]()

    with pytest.raises(Forbidden) as refused:
        place(actor, school, child)

    assert refused.value.code == "not_a_coordinator"
    assert selectors.child_grade(child=child) is None


def test_an_organisation_that_is_no_school_has_no_pupils(child):
    office = OrganisationFactory(kind="city")
    staff = make_city_staff()

    with pytest.raises(NotFound):
        place(staff, office, child)


def test_a_wrong_birth_date_or_an_adult_answers_as_not_found(coordinator, school, child):
    adult = ResidentFactory()
    with pytest.raises(NotFound):
        services.school_pupil_add(
            actor=coordinator,
            school_id=school.pk,
            child_id=child.pk,
            birth_date=child.birth_date.replace(year=child.birth_date.year - 1),
            school_year=3,
        )
    with pytest.raises(NotFound):
        place(coordinator, school, adult)
    assert not AuditEvent.objects.filter(action="school.pupil_added").exists()


@pytest.mark.parametrize("school_year", [0, 13, -1, "3", True])
def test_the_school_year_is_1_to_12(coordinator, school, child, school_year):
    with pytest.raises(Invalid) as refused:
        place(coordinator, school, child, school_year=school_year)
    assert "school_year" in refused.value.fields


def test_a_class_name_is_short(coordinator, school, child):
    with pytest.raises(Invalid) as refused:
        place(coordinator, school, child, class_name="x" * 21)
    assert "class_name" in refused.value.fields


def test_one_placement_per_child(coordinator, school, child):
    place(coordinator, school, child)
    with pytest.raises(Conflict) as refused:
        place(coordinator, school, child)
    assert refused.value.code == "already_pupil"


def test_another_schools_coordinator_cannot_take_a_pupil_but_city_staff_can_move_them(
    coordinator, school, child
):
    place(coordinator, school, child)
    other = OrganisationFactory(kind="school")
    other_coordinator = RoleFactory(organisation=other, role="coordinator").resident

    with pytest.raises(NotFound):
        place(other_coordinator, other, child)
    moved = place(make_city_staff(), other, child, school_year=4)

    assert (moved.school, selectors.child_grade(child=child)) == (other, 4)


def test_a_new_school_year_and_class_and_leaving_the_school(coordinator, school, child):
    place(coordinator, school, child)

    updated = services.school_pupil_update(
        actor=coordinator, school_id=school.pk, child_id=child.pk, school_year=4, class_name="1組"
    )
    assert (updated.school_year, updated.class_name) == (4, "1組")
    services.school_pupil_remove(actor=coordinator, school_id=school.pk, child_id=child.pk)

    assert selectors.child_grade(child=child) is None
    assert (
        AuditEvent.objects.filter(
            action__in=["school.pupil_updated", "school.pupil_removed"]
        ).count()
        == 2
    )
    with pytest.raises(NotFound):
        services.school_pupil_remove(actor=coordinator, school_id=school.pk, child_id=child.pk)


def test_the_pupils_list_is_for_coordinators_and_reading_it_is_audited(coordinator, school, child):
    place(coordinator, school, child)
    guardian = GuardianLinkFactory(child=child).guardian

    (pupil,) = selectors.school_pupils(actor=coordinator, school_id=school.pk)

    assert pupil.child == child
    assert [link.guardian for link in pupil.child.guardian_links.all()] == [guardian]
    assert AuditEvent.objects.filter(action="school.pupils_viewed", actor_id=coordinator.pk)
    with pytest.raises(Forbidden):
        selectors.school_pupils(actor=guardian, school_id=school.pk)


@pytest.mark.parametrize(
    ("year", "ja", "en"),
    [(1, "小1", "Grade 1"), (6, "小6", "Grade 6"), (7, "中1", "Grade 7"), (12, "高3", "Grade 12")],
)
def test_the_grade_label_in_japanese_and_english(year, ja, en):
    with translation.override("ja"):
        assert selectors.grade_label(year) == ja
    with translation.override("en"):
        assert selectors.grade_label(year) == en
    assert selectors.grade_label(None) == ""


def test_the_school_and_class_are_seen_only_by_the_school_the_family_and_staff(
    coordinator, school, child
):
    place(coordinator, school, child)
    guardian = GuardianLinkFactory(child=child).guardian
    other_coordinator = RoleFactory(
        organisation=OrganisationFactory(kind="school"), role="coordinator"
    ).resident

    for allowed in (coordinator, guardian, child, make_city_staff()):
        assert selectors.child_placement_get(actor=allowed, child_id=child.pk).class_name == "2組"
    for stranger in (ResidentFactory(), other_coordinator):
        with pytest.raises(NotFound):
            selectors.child_placement_get(actor=stranger, child_id=child.pk)
    # The school's and staff's looks are audited; the family's are not.
    assert AuditEvent.objects.filter(action="school.pupil_viewed").count() == 2


def test_others_see_only_the_grade_label_beside_a_childs_given_name(coordinator, school, child):
    place(coordinator, school, child, school_year=8)
    adult = ResidentFactory()

    with translation.override("ja"):
        assert visible_grade(resident=child) == "中2"
        assert visible_grade(resident=adult) == ""
        unplaced = ChildFactory()
        assert visible_grades(residents=[child, adult, unplaced]) == {
            child.pk: "中2",
            unplaced.pk: "",
        }


# --- Guardians the school links or confirms ---------------------------------------------------


def test_a_coordinator_links_a_pupil_to_a_guardian_who_is_told_and_it_is_audited(
    coordinator, school, child, django_capture_on_commit_callbacks
):
    place(coordinator, school, child)
    guardian = ResidentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        link = services.school_guardian_link(
            actor=coordinator, school_id=school.pk, child_id=child.pk, guardian_id=guardian.pk
        )

    assert (link.guardian, link.child) == (guardian, child)
    assert selectors.resident_is_guardian_of(guardian=guardian, child=child)
    assert Notification.objects.filter(resident=guardian, kind="identity.guardian_link").exists()
    event = AuditEvent.objects.get(action="guardian.linked")
    assert (event.actor_id, event.target_id, event.detail) == (
        coordinator.pk,
        str(child.pk),
        {"guardian": guardian.pk, "school": school.pk},
    )


def test_linking_refuses_a_non_coordinator_a_non_pupil_a_child_guardian_and_a_second_link(
    coordinator, school, child
):
    place(coordinator, school, child)
    guardian = ResidentFactory()
    with pytest.raises(Forbidden):
        services.school_guardian_link(
            actor=guardian, school_id=school.pk, child_id=child.pk, guardian_id=guardian.pk
        )
    with pytest.raises(NotFound):  # not a pupil of this school
        services.school_guardian_link(
            actor=coordinator,
            school_id=school.pk,
            child_id=ChildFactory().pk,
            guardian_id=guardian.pk,
        )
    with pytest.raises(NotFound):  # a child cannot be a guardian
        services.school_guardian_link(
            actor=coordinator, school_id=school.pk, child_id=child.pk, guardian_id=ChildFactory().pk
        )
    services.school_guardian_link(
        actor=coordinator, school_id=school.pk, child_id=child.pk, guardian_id=guardian.pk
    )
    with pytest.raises(Conflict) as refused:
        services.school_guardian_link(
            actor=coordinator, school_id=school.pk, child_id=child.pk, guardian_id=guardian.pk
        )
    assert refused.value.code == "already_linked"
    assert GuardianLink.objects.count() == 1
    assert AuditEvent.objects.filter(action="guardian.linked").count() == 1


def ask(guardian, school, child, *, birth_date=None, number=None):
    return services.guardian_link_request(
        actor=guardian,
        school_id=school.pk,
        child_number=number if number is not None else str(child.pk),
        birth_date=birth_date or child.birth_date,
    )


def test_a_guardian_asks_the_coordinators_are_told_and_a_confirmation_links_them(
    coordinator, school, child, django_capture_on_commit_callbacks
):
    place(coordinator, school, child)
    guardian = ResidentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        request = ask(guardian, school, child)
    assert Notification.objects.filter(resident=coordinator, kind="identity.guardian_request")
    assert list(selectors.school_guardian_requests(actor=coordinator, school_id=school.pk)) == [
        request
    ]
    assert not selectors.resident_is_guardian_of(guardian=guardian, child=child)

    with django_capture_on_commit_callbacks(execute=True):
        answered = services.guardian_link_request_decide(
            actor=coordinator, request_id=request.pk, confirm=True
        )

    assert answered.status == GuardianLinkRequest.Status.CONFIRMED
    assert selectors.resident_is_guardian_of(guardian=guardian, child=child)
    assert Notification.objects.filter(resident=guardian, kind="identity.guardian_link").exists()
    assert AuditEvent.objects.filter(action="guardian.linked", actor_id=coordinator.pk).exists()
    with pytest.raises(Conflict) as refused:
        services.guardian_link_request_decide(
            actor=coordinator, request_id=request.pk, confirm=False
        )
    assert refused.value.code == "decided"


def test_a_declined_request_links_nobody_and_the_guardian_is_told(
    coordinator, school, child, django_capture_on_commit_callbacks
):
    place(coordinator, school, child)
    guardian = ResidentFactory()
    request = ask(guardian, school, child)

    with django_capture_on_commit_callbacks(execute=True):
        services.guardian_link_request_decide(
            actor=coordinator, request_id=request.pk, confirm=False
        )

    assert not GuardianLink.objects.exists()
    assert Notification.objects.filter(resident=guardian, kind="identity.guardian_link").exists()
    assert selectors.my_guardian_requests(resident=guardian).get().status == "declined"


def test_only_the_schools_coordinator_answers_a_request(coordinator, school, child):
    place(coordinator, school, child)
    request = ask(ResidentFactory(), school, child)
    other_coordinator = RoleFactory(
        organisation=OrganisationFactory(kind="school"), role="coordinator"
    ).resident

    with pytest.raises(Forbidden):
        services.guardian_link_request_decide(
            actor=other_coordinator, request_id=request.pk, confirm=True
        )
    assert not GuardianLink.objects.exists()


def test_a_wrong_birth_date_an_unknown_number_or_another_schools_child_look_the_same(
    coordinator, school, child
):
    place(coordinator, school, child)
    elsewhere = ChildFactory()
    guardian = ResidentFactory()
    wrong_day = child.birth_date.replace(year=child.birth_date.year - 1)

    messages = set()
    for kwargs in (
        {"birth_date": wrong_day},
        {"number": "99999999"},
        {"number": str(elsewhere.pk), "birth_date": elsewhere.birth_date},
        {"number": "abc"},
    ):
        with pytest.raises(NotFound) as refused:
            ask(guardian, school, child, **kwargs)
        messages.add(refused.value.message)
    assert len(messages) == 1
    assert not GuardianLinkRequest.objects.exists()


def test_a_my_number_is_refused_before_anything_is_looked_up(coordinator, school, child):
    with pytest.raises(Invalid) as refused:
        ask(ResidentFactory(), school, child, number=MY_NUMBER)
    assert refused.value.code == "my_number"


def test_a_child_cannot_ask_to_be_a_guardian(coordinator, school, child):
    place(coordinator, school, child)
    with pytest.raises(Forbidden) as refused:
        ask(ChildFactory(), school, child)
    assert refused.value.code == "adult_required"


def test_asking_when_linked_already_or_twice_is_a_conflict(coordinator, school, child):
    place(coordinator, school, child)
    linked = GuardianLinkFactory(child=child).guardian
    guardian = ResidentFactory()
    ask(guardian, school, child)

    with pytest.raises(Conflict) as already:
        ask(linked, school, child)
    with pytest.raises(Conflict) as twice:
        ask(guardian, school, child)

    assert (already.value.code, twice.value.code) == ("already_linked", "requested")


def test_a_request_for_a_child_who_left_the_school_since_cannot_be_confirmed(
    coordinator, school, child
):
    place(coordinator, school, child)
    request = ask(ResidentFactory(), school, child)
    services.school_pupil_remove(actor=coordinator, school_id=school.pk, child_id=child.pk)

    with pytest.raises(Conflict) as refused:
        services.guardian_link_request_decide(
            actor=coordinator, request_id=request.pk, confirm=True
        )

    assert refused.value.code == "not_a_pupil"
    assert not GuardianLink.objects.exists()
