"""The survey after an offering, the reminder the day before a session, and calendar feeds."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from campus_social.common import ics
from campus_social.common.errors import Conflict, Invalid, NotFound
from campus_social.notifications.models import Notification
from courses import selectors, services
from courses.models import CalendarFeed, Enrolment, Offering, SurveyReceipt, SurveyResponse
from tests.courses.factories import EnrolmentFactory, LecturerFactory, OfferingFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def teacher(offering):
    return offering.course.owner.resident


def ended_offering():
    last_week = timezone.now() - timedelta(weeks=1)
    return OfferingFactory(
        sessions=[last_week - timedelta(weeks=1), last_week],
        enrolment_opens_at=last_week - timedelta(weeks=4),
        enrolment_closes_at=last_week - timedelta(weeks=2),
    )


def participants(offering, count):
    return [EnrolmentFactory(offering=offering).resident for _ in range(count)]


# --- The survey -----------------------------------------------------------------------------


def test_a_participant_answers_the_survey_once_after_the_offering_has_ended():
    offering = ended_offering()
    (resident,) = participants(offering, 1)

    services.survey_answer(
        resident=resident, offering_id=offering.pk, rating=5, comment="  楽しかったです  "
    )
    with pytest.raises(Conflict) as again:
        services.survey_answer(resident=resident, offering_id=offering.pk, rating=1)

    assert again.value.code == "already_answered"
    response = SurveyResponse.objects.get()
    assert (response.rating, response.comment) == (5, "楽しかったです")
    assert SurveyReceipt.objects.filter(resident=resident, offering=offering).exists()


def test_a_survey_answer_is_stored_with_no_link_to_who_gave_it():
    resident_model = settings.AUTH_USER_MODEL.lower()
    links = [
        field.name
        for field in SurveyResponse._meta.get_fields()
        if field.is_relation and field.related_model._meta.label_lower == resident_model
    ]
    assert links == []
    assert {field.name for field in SurveyResponse._meta.concrete_fields} == {
        "id",
        "offering",
        "rating",
        "comment",
    }


def test_only_participants_answer_the_survey():
    offering = ended_offering()
    left = EnrolmentFactory(offering=offering, status=Enrolment.Status.CANCELLED).resident
    waiting = EnrolmentFactory(offering=offering, status=Enrolment.Status.WAITLISTED).resident

    for outsider in (ResidentFactory(), left, waiting, teacher(offering)):
        with pytest.raises(NotFound):
            services.survey_answer(resident=outsider, offering_id=offering.pk, rating=4)
    with pytest.raises(NotFound):
        services.survey_answer(resident=left, offering_id=999_999, rating=4)
    assert not SurveyResponse.objects.exists()


def test_the_survey_opens_only_when_the_offering_has_ended():
    offering = OfferingFactory()
    resident = ResidentFactory()
    services.enrolment_create(actor=resident, offering_id=offering.pk)

    with pytest.raises(Conflict) as refused:
        services.survey_answer(resident=resident, offering_id=offering.pk, rating=4)

    assert refused.value.code == "not_ended"
    assert not SurveyResponse.objects.exists()
    assert not SurveyReceipt.objects.exists()


@pytest.mark.parametrize("rating", [0, 6, True, "5", None, 4.5])
def test_a_rating_is_a_whole_number_from_one_to_five(rating):
    offering = ended_offering()
    (resident,) = participants(offering, 1)

    with pytest.raises(Invalid) as refused:
        services.survey_answer(resident=resident, offering_id=offering.pk, rating=rating)

    assert "rating" in refused.value.fields
    assert not SurveyReceipt.objects.exists()  # a refused answer does not use up the turn


def test_the_lecturer_sees_nothing_until_three_have_answered_then_only_the_aggregate():
    offering = ended_offering()
    first, second, third = participants(offering, 3)
    services.survey_answer(
        resident=first, offering_id=offering.pk, rating=5, comment="また参加したい"
    )
    services.survey_answer(resident=second, offering_id=offering.pk, rating=3)

    withheld = selectors.survey_summary(offering_id=offering.pk, actor=teacher(offering))
    assert withheld.withheld
    assert (withheld.responses, withheld.average, withheld.distribution, withheld.comments) == (
        2,
        None,
        {},
        [],
    )

    services.survey_answer(resident=third, offering_id=offering.pk, rating=4, comment="丁寧でした")
    summary = selectors.survey_summary(offering_id=offering.pk, actor=teacher(offering))

    assert not summary.withheld
    assert summary.responses == 3
    assert summary.average == 4.0
    assert summary.distribution == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert sorted(summary.comments) == sorted(["また参加したい", "丁寧でした"])


def test_another_lecturer_cannot_read_the_survey():
    offering = ended_offering()

    for outsider in (LecturerFactory().resident, ResidentFactory()):
        with pytest.raises(NotFound):
            selectors.survey_summary(offering_id=offering.pk, actor=outsider)


# --- Reminders ------------------------------------------------------------------------------


def tomorrow_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_those_enrolled_are_reminded_of_tomorrows_sessions_once(
    django_capture_on_commit_callbacks,
):
    tomorrow = OfferingFactory(capacity=1, sessions=[tomorrow_at(10)])
    later = OfferingFactory(sessions=[tomorrow_at(10) + timedelta(days=1)])
    enrolled, waiting, next_week = ResidentFactory.create_batch(3)
    services.enrolment_create(actor=enrolled, offering_id=tomorrow.pk)
    services.enrolment_create(actor=waiting, offering_id=tomorrow.pk)
    services.enrolment_create(actor=next_week, offering_id=later.pk)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.session_reminders_send(today=timezone.localdate())
        again = services.session_reminders_send(today=timezone.localdate())

    assert (sent, again) == (1, 0)
    reminders = Notification.objects.filter(kind="courses.reminder")
    assert list(reminders.values_list("resident", flat=True)) == [enrolled.pk]
    assert tomorrow.sessions.get().reminded_at is not None


def test_cancelled_sessions_and_unpublished_offerings_send_no_reminder():
    cancelled_session = OfferingFactory(sessions=[tomorrow_at(10)])
    cancelled_offering = OfferingFactory(sessions=[tomorrow_at(14)])
    draft = OfferingFactory(sessions=[tomorrow_at(18)], status=Offering.Status.DRAFT)
    for offering in (cancelled_session, cancelled_offering, draft):
        EnrolmentFactory(offering=offering)
    services.session_cancel(
        actor=teacher(cancelled_session), session_id=cancelled_session.sessions.get().pk
    )
    Offering.objects.filter(pk=cancelled_offering.pk).update(status=Offering.Status.CANCELLED)
    Notification.objects.all().delete()

    assert services.session_reminders_send(today=timezone.localdate()) == 0
    assert not Notification.objects.filter(kind="courses.reminder").exists()


def test_the_day_given_decides_which_sessions_are_tomorrows():
    offering = OfferingFactory(sessions=[tomorrow_at(10) + timedelta(days=2)])
    EnrolmentFactory(offering=offering)

    today = timezone.localdate()
    assert services.session_reminders_send(today=today) == 0
    assert services.session_reminders_send(today=today + timedelta(days=2)) == 1


# --- Calendar feeds -------------------------------------------------------------------------


def test_a_renewed_feed_token_finds_its_owner_and_only_its_hash_is_kept():
    resident = ResidentFactory()

    token = services.calendar_feed_renew(resident=resident)

    assert services.calendar_feed_owner(token=token) == resident
    assert token not in CalendarFeed.objects.get().token_hash
    assert services.calendar_feed_owner(token="not-a-token") is None
    assert services.calendar_feed_owner(token="") is None


def test_renewing_the_feed_stops_the_old_address_working():
    resident = ResidentFactory()
    old = services.calendar_feed_renew(resident=resident)

    new = services.calendar_feed_renew(resident=resident)

    assert new != old
    assert services.calendar_feed_owner(token=old) is None
    assert services.calendar_feed_owner(token=new) == resident
    assert CalendarFeed.objects.count() == 1


def test_revoking_the_feed_stops_it_working():
    resident = ResidentFactory()
    token = services.calendar_feed_renew(resident=resident)

    services.calendar_feed_revoke(resident=resident)

    assert services.calendar_feed_owner(token=token) is None
    services.calendar_feed_revoke(resident=resident)  # revoking again is harmless


def test_a_deactivated_residents_feed_stops_working():
    resident = ResidentFactory()
    token = services.calendar_feed_renew(resident=resident)
    resident.is_active = False
    resident.save(update_fields=["is_active"])

    assert services.calendar_feed_owner(token=token) is None


def test_the_feed_holds_the_sessions_of_the_offerings_the_resident_is_enrolled_in():
    mine = OfferingFactory(sessions=[tomorrow_at(10), tomorrow_at(10) + timedelta(weeks=1)])
    waiting = OfferingFactory(capacity=1)
    resident = ResidentFactory()
    services.enrolment_create(actor=resident, offering_id=mine.pk)
    services.enrolment_create(actor=ResidentFactory(), offering_id=waiting.pk)
    services.enrolment_create(actor=resident, offering_id=waiting.pk)

    sessions = list(selectors.resident_sessions(resident=resident))
    body = ics.calendar(
        (
            ics.CalendarEvent(
                uid=f"session-{s.pk}",
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                summary=s.offering.course.title,
            )
            for s in sessions
        ),
        name="青葉市 まちの学校",
    )

    assert [s.offering for s in sessions] == [mine, mine]
    assert body.count("BEGIN:VEVENT") == 2
    assert mine.course.title in body
    assert all(line.endswith("\r") or not line for line in body.split("\n"))
