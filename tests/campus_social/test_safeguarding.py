"""The core's safeguarding: vetting records, the one rule on adults where children are, and the
daily notice to an adult whose vetting ran out."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Forbidden, Invalid
from campus_social.notifications.models import Notification
from campus_social.safeguarding import selectors, services
from campus_social.safeguarding.models import VettingRecord
from campus_social.safeguarding.selectors import Participation, child_contact
from tests.factories import (
    ChildFactory,
    GuardianLinkFactory,
    ResidentFactory,
    VettingRecordFactory,
)

pytestmark = pytest.mark.django_db

EXPIRED = "safeguarding.vetting_expired"


class TTY(StringIO):
    """Captured output that says it is a terminal, as a shell's would."""

    def isatty(self) -> bool:
        return True


def expired_vetting(days_ago: int = 1, **fields) -> VettingRecord:
    today = timezone.localdate()
    return VettingRecordFactory(
        checked_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=days_ago),
        **fields,
    )


# --- Vetting records ---------------------------------------------------------------------------


def test_city_staff_vet_any_resident_and_it_is_audited(city_staff):
    volunteer = ResidentFactory()
    today = timezone.localdate()

    record = services.vetting_record_add(
        actor=city_staff, resident=volunteer, checked_on=today, expires_on=today + timedelta(365)
    )

    assert (record.resident, record.checked_by) == (volunteer, city_staff)
    assert selectors.resident_is_vetted(volunteer)
    assert AuditEvent.objects.filter(action="resident.vetted", target_id=str(volunteer.pk)).exists()


def test_nobody_but_city_staff_records_a_vetting():
    resident = ResidentFactory()
    today = timezone.localdate()

    with pytest.raises(Forbidden):
        services.vetting_record_add(
            actor=resident, resident=resident, checked_on=today, expires_on=today + timedelta(9)
        )
    assert not VettingRecord.objects.exists()


def test_a_vetting_must_end_after_its_check_which_is_not_in_the_future(city_staff):
    resident = ResidentFactory()
    today = timezone.localdate()

    with pytest.raises(Invalid) as ends_too_soon:
        services.vetting_record_add(
            actor=city_staff, resident=resident, checked_on=today, expires_on=today
        )
    with pytest.raises(Invalid) as in_the_future:
        services.vetting_record_add(
            actor=city_staff,
            resident=resident,
            checked_on=today + timedelta(days=1),
            expires_on=today + timedelta(days=9),
        )

    assert list(ends_too_soon.value.fields) == ["expires_on"]
    assert list(in_the_future.value.fields) == ["checked_on"]
    assert not VettingRecord.objects.exists()


def test_a_child_is_not_vetted(city_staff):
    child = ChildFactory()
    today = timezone.localdate()

    with pytest.raises(Invalid) as refused:
        services.vetting_record_add(
            actor=city_staff, resident=child, checked_on=today, expires_on=today + timedelta(9)
        )

    assert refused.value.code == "child"
    assert not VettingRecord.objects.exists()


def test_a_record_counts_from_its_check_through_its_last_day_only():
    record = VettingRecordFactory()
    resident = record.resident

    assert selectors.resident_is_vetted(resident, on=record.expires_on)
    assert not selectors.resident_is_vetted(resident, on=record.expires_on + timedelta(days=1))
    assert not selectors.resident_is_vetted(resident, on=record.checked_on - timedelta(days=1))
    assert selectors.vetted_resident_ids([resident.pk, ResidentFactory().pk]) == {resident.pk}


# --- The rule -----------------------------------------------------------------------------------


def test_where_children_are_a_vetted_adult_moderates_a_guardian_reads_and_others_stay_out():
    link = GuardianLinkFactory()
    children = [link.child]

    assert child_contact(resident=VettingRecordFactory().resident, children=children) == (
        Participation.MODERATE
    )
    assert child_contact(resident=link.guardian, children=children) == Participation.READ
    assert child_contact(resident=ResidentFactory(), children=children) == Participation.NONE
    assert child_contact(resident=expired_vetting().resident, children=children) == (
        Participation.NONE
    )
    assert child_contact(resident=ChildFactory(), children=children) == Participation.POST


def test_a_circle_meant_for_children_is_guarded_before_any_child_joins():
    adult = ResidentFactory()

    assert child_contact(resident=adult, children=[]) == Participation.MODERATE
    assert child_contact(resident=adult, children=[], for_children=True) == Participation.NONE


def test_the_check_names_the_refusal_vetting_required():
    link = GuardianLinkFactory()

    with pytest.raises(Forbidden) as refused:
        selectors.require_child_contact(
            resident=link.guardian, children=[link.child], need=Participation.POST
        )

    assert refused.value.code == "vetting_required"
    selectors.require_child_contact(
        resident=link.guardian, children=[link.child], need=Participation.READ
    )


# --- The daily notice -----------------------------------------------------------------------------


def run(*args: str, stdout: StringIO | None = None) -> str:
    out = stdout or StringIO()
    call_command("safeguarding_vetting_expiry", *args, stdout=out)
    return out.getvalue()


def test_an_adult_whose_vetting_ran_out_is_told_once(django_capture_on_commit_callbacks):
    lapsed = expired_vetting().resident
    renewed = expired_vetting().resident
    VettingRecordFactory(resident=renewed)  # renewed in time: nothing to tell
    VettingRecordFactory()  # current

    with django_capture_on_commit_callbacks(execute=True):
        first = run("--no-progress")
        second = run()

    assert "Told 1 resident(s) that their vetting ran out." in first
    assert "Told 0 resident(s)" in second
    (notice,) = Notification.objects.filter(kind=EXPIRED)
    assert notice.resident == lapsed
    assert not Notification.objects.filter(resident=renewed, kind=EXPIRED).exists()


def test_the_notice_goes_out_the_day_after_the_last_valid_day():
    record = VettingRecordFactory()
    last_day = record.expires_on

    run(f"--today={last_day.isoformat()}")
    assert not Notification.objects.filter(kind=EXPIRED).exists()
    run(f"--today={(last_day + timedelta(days=1)).isoformat()}")
    assert Notification.objects.filter(resident=record.resident, kind=EXPIRED).count() == 1


def test_the_command_shows_progress_on_a_terminal_and_refuses_a_bad_date(capsys):
    expired_vetting()

    run("--no-progress", stdout=TTY())
    assert "residents" not in capsys.readouterr().err
    expired_vetting()
    run(stdout=TTY())
    assert "residents: 100%" in capsys.readouterr().err
    with pytest.raises(CommandError):
        run("--today=yesterday")
