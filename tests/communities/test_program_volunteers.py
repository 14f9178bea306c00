"""Senior volunteers: offers, matching, invitations and answers, and the vetting every step asks
for — an expired record takes a volunteer off a program through safeguarding's daily command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.notifications.models import Notification
from campus_social.safeguarding.models import VettingRecord
from communities import program_selectors as selectors
from communities import services
from communities.models import ProgramVolunteer, VolunteerOffer
from messaging.models import RoomMember
from tests.communities.builders import expire_vetting
from tests.communities.program_builders import running_program, senior_with_offer, volunteer_in
from tests.factories import DistrictFactory, ResidentFactory, SeniorFactory, VettingRecordFactory

pytestmark = pytest.mark.django_db


def test_a_senior_publishes_one_offer_and_updates_it():
    district = DistrictFactory()
    offer = senior_with_offer(
        district_ids=[district.pk], availability=["tue-afternoon", "tue-afternoon"]
    )

    again = services.volunteer_offer_set(
        actor=offer.resident,
        skills="Shogi",
        topics=["arts", "history"],
        district_ids=[district.pk],
        availability=["sat-morning"],
    )

    assert again.pk == offer.pk
    assert VolunteerOffer.objects.get().topics == ["arts", "history"]
    assert list(again.districts.all()) == [district]


def test_volunteer_offers_are_for_seniors():
    with pytest.raises(Forbidden) as refusal:
        services.volunteer_offer_set(
            actor=ResidentFactory(), skills="x", topics=[], district_ids=[], availability=[]
        )
    assert refusal.value.code == "senior_only"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"topics": ["karaoke"]}, "topics"),
        ({"availability": ["tue-night"]}, "availability"),
        ({"district_ids": [999999]}, "district_ids"),
        ({"skills": ""}, "skills"),
    ],
)
def test_bad_offers_are_refused(values, field):
    fields = {"skills": "Calligraphy", "topics": [], "district_ids": [], "availability": []}
    fields.update(values)
    with pytest.raises(Invalid) as refusal:
        services.volunteer_offer_set(actor=SeniorFactory(), **fields)
    assert field in refusal.value.fields
    assert not VolunteerOffer.objects.exists()


def test_a_withdrawn_offer_is_not_matched():
    running = running_program()
    offer = senior_with_offer()

    services.volunteer_offer_withdraw(actor=offer.resident)

    assert selectors.volunteer_matches(program=running.program, actor=running.coordinator) == []
    with pytest.raises(NotFound):
        services.volunteer_offer_withdraw(actor=offer.resident)


def test_matches_are_ranked_by_theme_district_time_and_vetting_with_reasons():
    running = running_program()
    slot = selectors.session_slots(sessions=[running.session]).pop()
    best = senior_with_offer(district_ids=[running.program.district_id], availability=[slot])
    unvetted = senior_with_offer(
        vetted=False, district_ids=[running.program.district_id], availability=[slot]
    )
    other_theme = senior_with_offer(topics=["music"])

    matches = selectors.volunteer_matches(program=running.program, actor=running.coordinator)

    assert [match.offer for match in matches] == [best, unvetted, other_theme]
    assert matches[0].score == 3 + 2 + 1 + 2
    assert len(matches[0].reasons) == 4
    assert matches[1].vetted is False
    assert matches[1].reasons[-1] == _("No current vetting record: cannot take part until vetted.")


def test_only_coordinators_see_matches():
    running = running_program()
    with pytest.raises(Forbidden):
        selectors.volunteer_matches(program=running.program, actor=ResidentFactory())


def test_matching_asks_a_fixed_number_of_queries(django_assert_num_queries):
    running = running_program()
    for _offer in range(2):
        senior_with_offer(district_ids=[DistrictFactory().pk])
    with django_assert_num_queries(6):
        selectors.volunteer_matches(program=running.program, actor=running.coordinator)
    for _offer in range(6):
        senior_with_offer(district_ids=[DistrictFactory().pk])
    with django_assert_num_queries(6):
        selectors.volunteer_matches(program=running.program, actor=running.coordinator)


def test_a_vetted_senior_is_invited_accepts_and_joins_the_room():
    running = running_program()
    offer = senior_with_offer()

    services.volunteer_invite(
        actor=running.coordinator, program_id=running.program.pk, resident_id=offer.resident_id
    )
    assert Notification.objects.filter(resident=offer.resident, kind="communities.programs")
    services.volunteer_answer(actor=offer.resident, program_id=running.program.pk, accept=True)

    assert ProgramVolunteer.objects.get().status == ProgramVolunteer.Status.ACCEPTED
    assert RoomMember.objects.get(room=running.program.room, resident=offer.resident).role == (
        "member"
    )
    assert Notification.objects.filter(resident=running.coordinator, kind="communities.programs")


def test_a_senior_who_declines_stays_out_of_the_room():
    running = running_program()
    offer = senior_with_offer()
    services.volunteer_invite(
        actor=running.coordinator, program_id=running.program.pk, resident_id=offer.resident_id
    )

    services.volunteer_answer(actor=offer.resident, program_id=running.program.pk, accept=False)

    assert ProgramVolunteer.objects.get().status == ProgramVolunteer.Status.DECLINED
    assert not RoomMember.objects.filter(resident=offer.resident).exists()
    with pytest.raises(NotFound):
        services.volunteer_answer(actor=offer.resident, program_id=running.program.pk, accept=True)


def test_an_unvetted_senior_cannot_be_invited_nothing_is_stored_and_it_is_audited():
    running = running_program()
    offer = senior_with_offer(vetted=False)

    with pytest.raises(Forbidden) as refusal:
        services.volunteer_invite(
            actor=running.coordinator, program_id=running.program.pk, resident_id=offer.resident_id
        )

    assert refusal.value.code == "vetting_required"
    assert not ProgramVolunteer.objects.exists()
    assert AuditEvent.objects.filter(
        action="program.volunteer_refused", actor_id=running.coordinator.pk
    ).exists()


def test_a_senior_whose_vetting_ran_out_since_the_invitation_cannot_accept():
    running = running_program()
    offer = senior_with_offer()
    services.volunteer_invite(
        actor=running.coordinator, program_id=running.program.pk, resident_id=offer.resident_id
    )
    expire_vetting(offer.resident)

    with pytest.raises(Forbidden):
        services.volunteer_answer(actor=offer.resident, program_id=running.program.pk, accept=True)

    assert ProgramVolunteer.objects.get().status == ProgramVolunteer.Status.INVITED
    assert not RoomMember.objects.filter(resident=offer.resident).exists()
    assert AuditEvent.objects.filter(
        action="program.volunteer_refused", actor_id=offer.resident_id
    ).exists()


def test_an_invitation_is_sent_once():
    running = running_program()
    offer = senior_with_offer()
    services.volunteer_invite(
        actor=running.coordinator, program_id=running.program.pk, resident_id=offer.resident_id
    )
    with pytest.raises(Conflict):
        services.volunteer_invite(
            actor=running.coordinator, program_id=running.program.pk, resident_id=offer.resident_id
        )


def test_only_the_coordinator_invites():
    running = running_program()
    offer = senior_with_offer()
    with pytest.raises(Forbidden):
        services.volunteer_invite(
            actor=offer.resident, program_id=running.program.pk, resident_id=offer.resident_id
        )


def test_the_coordinator_takes_a_volunteer_off_who_leaves_the_room_and_is_told():
    running = running_program()
    senior = volunteer_in(running)

    services.volunteer_remove(
        actor=running.coordinator, program_id=running.program.pk, resident_id=senior.pk
    )

    assert ProgramVolunteer.objects.get().status == ProgramVolunteer.Status.REMOVED
    assert not RoomMember.objects.filter(resident=senior).exists()
    told = Notification.objects.filter(resident=senior, kind="communities.programs")
    assert told.count() == 2  # invited, then taken off
    assert running.program.title in told.first().title


def test_the_daily_vetting_expiry_takes_a_volunteer_off_the_program_with_a_notice():
    running = running_program()
    senior = volunteer_in(running)
    other = volunteer_in(running)
    expire_vetting(senior)
    VettingRecordFactory(
        resident=other, checked_on=timezone.localdate() - timedelta(days=3)
    )  # renewed in time: stays

    call_command("safeguarding_vetting_expiry", "--no-progress", stdout=None)

    standing = ProgramVolunteer.objects.get(resident=senior)
    assert standing.status == ProgramVolunteer.Status.REMOVED
    assert standing.removed_reason == "vetting_expired"
    assert not RoomMember.objects.filter(room=running.program.room, resident=senior).exists()
    assert Notification.objects.filter(resident=senior, kind="communities.programs").exists()
    assert Notification.objects.filter(
        resident=running.coordinator, title__contains=senior.display_name
    ).exists()
    assert ProgramVolunteer.objects.get(resident=other).status == "accepted"


def test_the_roster_counts_a_volunteer_only_if_vetted_on_the_sessions_date():
    running = running_program()
    senior = volunteer_in(running)
    VettingRecord.objects.filter(resident=senior).update(
        expires_on=timezone.localdate() + timedelta(days=2)
    )  # runs out before next week's session

    assert selectors.session_volunteers_vetted(session=running.session) == []
