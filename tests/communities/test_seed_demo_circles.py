"""``manage.py seed_demo_circles``: the demo town's circles, after ``seed_demo`` and
``seed_demo_courses`` — what the personas of ``docs/demo.md`` find when they sign in."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from campus_social.common.errors import NotFound
from campus_social.identity.models import Resident
from campus_social.notifications.models import Notification
from campus_social.search import services as search_services
from communities import selectors
from communities.models import Circle, CircleMember
from courses.models import Enrolment, Offering
from courses.selectors import completion_list
from messaging.models import Room

pytestmark = pytest.mark.django_db


def seed_circles() -> str:
    out = StringIO()
    call_command("seed_demo_circles", "--no-progress", stdout=out)
    return out.getvalue()


def seed_town_and_courses() -> None:
    """The town and its courses, as ``make run`` seeds them (in a test, the courses' domain
    events never arrive: no commit happens, so the course circles are left to this command)."""
    call_command("seed_demo", "--no-progress", stdout=StringIO())
    call_command("seed_demo_courses", "--no-progress", stdout=StringIO())


@pytest.fixture(scope="module")
def seeded(module_db, django_db_blocker) -> str:
    """The town, its courses and their circles, seeded once for the module: its tests only read
    (see ``module_db``).  Running the command again, or without the town, is in
    ``test_seed_demo_circles_runs.py``."""
    with django_db_blocker.unblock():
        seed_town_and_courses()
        seeded = seed_circles()
        search_services.rebuild()  # as ``make run`` does after seeding (words are searched)
        return seeded


def persona(key: str) -> Resident:
    return Resident.objects.get(login_name=f"persona-{key}")


def circle(name: str) -> Circle:
    return Circle.objects.get(name=name, offering__isnull=True)


def mine(key: str) -> dict[str, CircleMember]:
    return {m.circle.name: m for m in selectors.my_circles(resident=persona(key))}


def test_every_published_offering_has_its_cohort_in_a_circle(seeded):
    for offering in Offering.objects.filter(status=Offering.Status.PUBLISHED):
        course_circle = Circle.objects.get(offering=offering)
        seated = set(
            offering.enrolments.filter(status=Enrolment.Status.ENROLLED).values_list(
                "resident_id", flat=True
            )
        )
        members = set(
            course_circle.memberships.filter(status="active", role="member").values_list(
                "resident_id", flat=True
            )
        )
        assert members == seated
        assert course_circle.visibility == Circle.Visibility.MODERATED
    assert not Circle.objects.filter(offering__status=Offering.Status.DRAFT).exists()
    assert "Course circles:" in seeded


def test_the_senior_organises_an_open_walking_circle_that_met_and_plans_its_next_walk(seeded):
    walk = circle("東山さんぽの会")
    senior = persona("senior")

    assert walk.visibility == Circle.Visibility.OPEN
    assert mine("senior")["東山さんぽの会"].role == "organiser"
    members = selectors.circle_members(circle_id=walk.pk, actor=senior)
    assert members.count() >= 5
    assert all(m.resident.login_name.startswith("demo-") for m in members if m.resident != senior)
    now = timezone.now()
    held = walk.events.filter(starts_at__lt=now)
    upcoming = selectors.event_list(circle_id=walk.pk, actor=senior, upcoming=True)
    assert held.exists()
    (next_walk,) = upcoming
    assert next_walk.coming >= 2
    (thread,) = selectors.thread_list(circle_id=walk.pk, actor=senior)
    assert thread.reply_count >= 2
    assert selectors.resource_list(circle_id=walk.pk, actor=senior).get().kind == "link"
    detail = selectors.circle_detail(circle_id=walk.pk, actor=senior)
    assert selectors.last_met_at(detail) == held.latest("starts_at").starts_at
    assert selectors.last_talked_at(detail) is not None


def test_the_registrar_has_a_request_waiting_in_her_moderated_reading_circle(seeded):
    reading = circle("駅前読書会")

    assert reading.visibility == Circle.Visibility.MODERATED
    assert mine("registrar")["駅前読書会"].role == "organiser"
    (pending,) = selectors.circle_pending(circle_id=reading.pk, actor=persona("registrar"))
    assert pending.status == "requested"
    assert Notification.objects.filter(
        resident=persona("registrar"), kind="communities.join_requests"
    ).exists()


def test_the_invite_only_circle_is_hidden_from_the_senior_but_invites_the_coordinator(seeded):
    parents = circle("桜台 子育てしゃべり場")

    assert parents.visibility == Circle.Visibility.INVITE_ONLY
    assert mine("guardian")["桜台 子育てしゃべり場"].role == "organiser"
    assert mine("coordinator")["桜台 子育てしゃべり場"].status == "invited"
    with pytest.raises(NotFound):
        selectors.circle_get(circle_id=parents.pk, actor=persona("senior"))
    assert parents not in selectors.circle_directory(actor=persona("senior"))


@pytest.mark.parametrize(
    ("words", "name"), [("さんぽ", "東山さんぽの会"), ("どくしょ", "駅前読書会")]
)
def test_the_senior_finds_circles_by_typing_their_reading_in_hiragana(seeded, words, name):
    found = selectors.circle_directory(
        actor=persona("senior"), filters=selectors.CircleFilters(query=words)
    )
    assert [c.name for c in found] == [name]


def test_the_lecturer_organises_the_circles_of_her_published_courses(seeded):
    lecturer = persona("lecturer")
    taught = Offering.objects.filter(status=Offering.Status.PUBLISHED, lecturers__resident=lecturer)

    organised = {name for name, m in mine("lecturer").items() if m.role == "organiser"}

    assert {Circle.objects.get(offering=o).name for o in taught} | {"こども書き初めクラブ"} == (
        organised
    )


def test_the_guardian_joined_her_child_to_the_lecturers_circle_for_children(seeded):
    club = circle("こども書き初めクラブ")
    child, guardian = persona("child"), persona("guardian")

    assert club.for_children
    assert mine("lecturer")["こども書き初めクラブ"].role == "organiser"
    membership = mine("guardian")["こども書き初めクラブ"]
    assert (membership.resident, membership.added_by) == (child, guardian)
    assert club in selectors.circle_directory(actor=child)
    # 陽葵 is in her calligraphy class's circle too, through her seat.
    (calligraphy,) = Offering.objects.filter(course__title="こども書道教室")
    assert Circle.objects.get(offering=calligraphy).name in mine("guardian")
    assert all(c.for_children for c in selectors.circle_directory(actor=child))
    # The guardian reads along: the discussion, and the meeting she answered for 陽葵.
    assert selectors.thread_list(circle_id=club.pk, actor=guardian).exists()
    (practice,) = selectors.event_list(circle_id=club.pk, actor=guardian, upcoming=True)
    assert selectors.rsvp_of(event=practice, resident=child).answer == "yes"
    names = [
        m.resident.display_name for m in selectors.circle_members(circle_id=club.pk, actor=guardian)
    ]
    assert "陽葵" in names
    assert child.name not in names


def test_the_ended_courses_circle_met_again_so_the_staff_figure_counts_it_alive(seeded):
    (ended,) = Offering.objects.filter(last_session_ends_at__lt=timezone.now())
    pen = Circle.objects.get(offering=ended)
    senior = persona("senior")

    survival = selectors.course_circle_survival(weeks=4)
    assert (survival.ended, survival.alive) == (1, 1)
    # At the staff page's default of 8 weeks no demo course has ended that long ago.
    assert selectors.course_circle_survival(weeks=8).ended == 0
    assert set(selectors.course_circles_alive(weeks=4)) == {pen}
    # Completers keep their membership for good; the senior persona is one of them.
    kept = pen.memberships.get(resident=senior)
    assert kept.is_active
    assert not kept.via_offering
    completers = {c.resident_id for c in completion_list(offering_id=ended.pk)}
    assert not pen.memberships.filter(resident_id__in=completers, via_offering=True).exists()
    assert pen.name in mine("senior")
    assert selectors.thread_list(circle_id=pen.pk, actor=senior).get().reply_count >= 1


def test_each_cohort_talks_in_one_room_and_a_learner_finds_the_course_once_in_messages(
    seeded, signed_in_page
):
    assert not Room.objects.exclude(kind__in=["circle", "direct"]).exists()
    for offering in Offering.objects.filter(status=Offering.Status.PUBLISHED):
        room = Circle.objects.get(offering=offering).room
        seated = set(
            offering.enrolments.filter(status=Enrolment.Status.ENROLLED).values_list(
                "resident_id", flat=True
            )
        )
        in_room = set(room.members.values_list("resident_id", flat=True))
        assert seated <= in_room
    learner = (
        Enrolment.objects.filter(offering__course__title="朝の太極拳", status="enrolled")
        .first()
        .resident
    )

    page = signed_in_page(learner).get("/me/messages/").content.decode()

    assert page.count("朝の太極拳") == 1
