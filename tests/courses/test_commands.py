"""The daily cron commands: courses_record_completions and courses_send_reminders."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from campus_social.notifications.models import Notification
from courses import services
from courses.models import Attendance, Completion, Offering
from tests.courses.factories import EnrolmentFactory, OfferingFactory

pytestmark = pytest.mark.django_db


class TTY(StringIO):
    """Captured output that says it is a terminal, as a shell's would."""

    def isatty(self) -> bool:
        return True


def run(command: str, *args: str, stdout: StringIO | None = None) -> str:
    out = stdout or StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


# --- courses_record_completions ---------------------------------------------------------------


def ended_offering(**fields):
    now = timezone.now()
    return OfferingFactory(
        sessions=[now - timedelta(weeks=2), now - timedelta(weeks=1)],
        enrolment_opens_at=now - timedelta(weeks=6),
        enrolment_closes_at=now - timedelta(weeks=3),
        **fields,
    )


def attended_everything(offering):
    resident = EnrolmentFactory(offering=offering).resident
    Attendance.objects.bulk_create(
        Attendance(session=session, resident=resident, method=Attendance.Method.ROSTER)
        for session in offering.sessions.all()
    )
    return resident


def test_record_completions_records_every_ended_offering_not_yet_recorded():
    first, second = ended_offering(), ended_offering()
    completers = [attended_everything(first), attended_everything(first)]
    EnrolmentFactory(offering=second)  # never came
    running = OfferingFactory()
    cancelled = ended_offering(status=Offering.Status.CANCELLED)
    already = ended_offering()
    services.offering_record_completions(offering_id=already.pk)
    attended_everything(already)  # marked late: the recorded result stands

    output = run("courses_record_completions", "--no-progress")

    assert "Recorded completions for 2 ended offering(s): 2 resident(s) completed." in output
    assert set(Completion.objects.values_list("resident", flat=True)) == {r.pk for r in completers}
    recorded = set(
        Offering.objects.filter(completions_recorded_at__isnull=False).values_list("pk", flat=True)
    )
    assert recorded == {first.pk, second.pk, already.pk}
    assert running.pk not in recorded
    assert cancelled.pk not in recorded


def test_record_completions_a_second_time_does_nothing():
    offering = ended_offering()
    attended_everything(offering)
    run("courses_record_completions", "--no-progress")

    output = run("courses_record_completions", "--no-progress")

    assert output.strip() == "No ended offering is waiting for its completions."
    assert Completion.objects.count() == 1


def test_record_completions_shows_a_progress_bar_only_on_a_terminal(capsys):
    ended_offering()
    ended_offering()

    run("courses_record_completions", stdout=StringIO())
    assert "offerings" not in capsys.readouterr().err

    Offering.objects.update(completions_recorded_at=None)
    run("courses_record_completions", "--no-progress", stdout=TTY())
    assert "offerings" not in capsys.readouterr().err

    Offering.objects.update(completions_recorded_at=None)
    run("courses_record_completions", stdout=TTY())
    assert "offerings: 100%" in capsys.readouterr().err


# --- courses_send_reminders -----------------------------------------------------------------


def tomorrow_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_send_reminders_tells_those_enrolled_of_tomorrows_sessions_once():
    offering = OfferingFactory(sessions=[tomorrow_at(10)])
    resident = EnrolmentFactory(offering=offering).resident
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    first = run("courses_send_reminders", "--no-progress")
    second = run("courses_send_reminders")

    assert f"Sent reminders for 1 session(s) meeting on {tomorrow}." in first
    assert f"Sent reminders for 0 session(s) meeting on {tomorrow}." in second
    assert Notification.objects.filter(resident=resident, kind="courses.reminder").count() == 1


def test_send_reminders_can_act_for_another_day():
    offering = OfferingFactory(sessions=[tomorrow_at(10) + timedelta(days=3)])
    EnrolmentFactory(offering=offering)
    day = timezone.localdate() + timedelta(days=3)

    output = run("courses_send_reminders", f"--today={day.isoformat()}")

    assert "Sent reminders for 1 session(s)" in output


def test_send_reminders_refuses_a_day_that_is_not_a_date():
    with pytest.raises(CommandError, match="--today"):
        run("courses_send_reminders", "--today=tomorrow")
