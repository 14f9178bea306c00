"""Children and their guardians' consent: giving it (with what was shown), signing the child
up, the coordinator adding consented children, withdrawing with effect at once, and the
guardian's view of everything their child takes part in."""

import pytest

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Conflict, Invalid, NotFound
from campus_social.notifications.models import Notification
from communities import program_selectors as selectors
from communities import services
from communities.models import ProgramChild, ProgramConsent
from communities.services.programs import RECORDED
from messaging.models import RoomMember
from tests.communities.program_builders import consented_child, coordinator_of, running_program
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def test_a_guardian_consents_and_what_they_were_shown_is_stored_with_it():
    running = running_program()

    link = consented_child(running, photos=False, sign_up=False)

    consent = ProgramConsent.objects.get()
    assert consent.child == link.child
    assert consent.guardian == link.guardian
    assert consent.activities == running.program.description
    assert consent.recorded == str(RECORDED)  # in the guardian's language, as shown
    assert consent.photos_allowed is False
    assert not ProgramChild.objects.exists()  # consent alone does not sign the child up
    assert AuditEvent.objects.filter(action="program.consent_given").exists()
    assert Notification.objects.filter(resident=running.coordinator).exists()


def test_a_guardian_signs_the_child_up_with_the_consent_and_reads_the_room():
    running = running_program()

    link = consented_child(running, sign_up=True)

    assert ProgramChild.objects.get().child == link.child
    roles = dict(
        RoomMember.objects.filter(room=running.program.room).values_list("resident_id", "role")
    )
    assert roles[link.child_id] == "member"
    assert roles[link.guardian_id] == "reader"


def test_the_coordinator_adds_a_consented_child():
    running = running_program()
    link = consented_child(running, sign_up=False)

    services.program_child_add(
        actor=running.coordinator, program_id=running.program.pk, child_id=link.child_id
    )

    assert ProgramChild.objects.filter(child=link.child, left_at__isnull=True).exists()
    with pytest.raises(Conflict):
        services.program_child_add(
            actor=running.coordinator, program_id=running.program.pk, child_id=link.child_id
        )


def test_a_child_without_consent_is_not_added_nothing_is_stored_and_it_is_audited():
    running = running_program()
    child = ChildFactory()

    with pytest.raises(Conflict) as refusal:
        services.program_child_add(
            actor=running.coordinator, program_id=running.program.pk, child_id=child.pk
        )

    assert refusal.value.code == "consent_required"
    assert not ProgramChild.objects.exists()
    assert not RoomMember.objects.filter(resident=child).exists()
    assert AuditEvent.objects.filter(action="program.child_refused").count() == 1


def test_withdrawing_takes_the_child_out_of_the_program_and_room_at_once():
    running = running_program()
    link = consented_child(running)

    services.consent_withdraw(
        actor=link.guardian, program_id=running.program.pk, child_id=link.child_id
    )

    assert ProgramConsent.objects.get().withdrawn_at is not None
    assert ProgramChild.objects.get().left_at is not None
    assert not RoomMember.objects.filter(
        room=running.program.room, resident__in=[link.child, link.guardian]
    ).exists()
    assert AuditEvent.objects.filter(action="program.consent_withdrawn").exists()


def test_a_child_cannot_be_added_again_after_the_consent_was_withdrawn():
    running = running_program()
    link = consented_child(running)
    services.consent_withdraw(
        actor=link.guardian, program_id=running.program.pk, child_id=link.child_id
    )

    with pytest.raises(Conflict) as refusal:
        services.program_child_add(
            actor=running.coordinator, program_id=running.program.pk, child_id=link.child_id
        )

    assert refusal.value.code == "consent_required"
    assert ProgramChild.objects.get().left_at is not None


def test_a_guardian_cannot_act_for_a_child_not_theirs_and_it_is_audited():
    running = running_program()
    stranger = ResidentFactory()
    someone_elses = GuardianLinkFactory().child

    with pytest.raises(NotFound):
        services.consent_give(
            actor=stranger,
            program_id=running.program.pk,
            child_id=someone_elses.pk,
            photos_allowed=True,
            sign_up=True,
        )

    assert not ProgramConsent.objects.exists()
    assert not ProgramChild.objects.exists()
    assert AuditEvent.objects.filter(action="program.acting_refused", actor_id=stranger.pk).exists()


def test_a_child_cannot_consent_alone_nor_an_adult_for_themselves():
    running = running_program()
    with pytest.raises(NotFound):  # a child does not even see a program they are not in
        services.consent_give(
            actor=ChildFactory(),
            program_id=running.program.pk,
            child_id=None,
            photos_allowed=True,
            sign_up=False,
        )
    with pytest.raises(Invalid):
        services.consent_give(
            actor=ResidentFactory(),
            program_id=running.program.pk,
            child_id=None,
            photos_allowed=True,
            sign_up=False,
        )
    assert not ProgramConsent.objects.exists()


def test_consent_is_given_once_and_only_while_the_program_is_published():
    running = running_program()
    link = consented_child(running)
    with pytest.raises(Conflict):
        services.consent_give(
            actor=link.guardian,
            program_id=running.program.pk,
            child_id=link.child_id,
            photos_allowed=True,
            sign_up=False,
        )
    services.program_end(actor=running.coordinator, program_id=running.program.pk)
    other = GuardianLinkFactory()
    with pytest.raises(Conflict):
        services.consent_give(
            actor=other.guardian,
            program_id=running.program.pk,
            child_id=other.child_id,
            photos_allowed=True,
            sign_up=False,
        )


def test_a_child_waits_outside_the_room_until_a_vetted_coordinator_is_seated():
    running = running_program(vetted_coordinator=False)
    link = consented_child(running)
    assert not RoomMember.objects.filter(resident=link.child).exists()

    vetted = coordinator_of(running.program.school, vetted=True)
    services.program_update(
        actor=running.coordinator,
        program_id=running.program.pk,
        values={"coordinator_ids": [running.coordinator.pk, vetted.pk]},
    )

    assert RoomMember.objects.filter(room=running.program.room, resident=link.child).exists()


def test_a_guardian_sees_everything_their_child_takes_part_in(django_assert_num_queries):
    first = running_program()
    second = running_program()
    link = consented_child(first)
    services.consent_give(
        actor=link.guardian,
        program_id=second.program.pk,
        child_id=link.child_id,
        photos_allowed=False,
        sign_up=False,
    )

    with django_assert_num_queries(3):
        rows = selectors.guardian_child_programs(actor=link.guardian)

    assert {(row.program.pk, row.taking_part) for row in rows} == {
        (first.program.pk, True),
        (second.program.pk, False),
    }
    assert selectors.guardian_child_programs(actor=ResidentFactory()) == []


def _placed(child, school, year: int) -> None:
    from campus_social.identity.models import SchoolPlacement

    SchoolPlacement.objects.create(child=child, school=school, school_year=year)


def test_a_child_whose_recorded_school_year_is_outside_the_range_is_refused():
    running = running_program()  # school years 3 to 6
    link = GuardianLinkFactory()
    _placed(link.child, running.program.school, 1)

    with pytest.raises(Invalid) as refused:
        services.consent_give(
            actor=link.guardian,
            program_id=running.program.pk,
            child_id=link.child_id,
            photos_allowed=True,
            sign_up=True,
        )

    assert refused.value.code == "grade"
    assert not ProgramConsent.objects.filter(child=link.child).exists()
    assert not ProgramChild.objects.filter(child=link.child).exists()


def test_a_child_in_range_is_taken_and_others_see_the_school_year():
    running = running_program()
    link = GuardianLinkFactory()
    _placed(link.child, running.program.school, 4)
    services.consent_give(
        actor=link.guardian,
        program_id=running.program.pk,
        child_id=link.child_id,
        photos_allowed=True,
        sign_up=True,
    )

    card = selectors.child_card(child=link.child, viewer_sees_all=False, grade=4)
    roster = selectors.program_roster(program=running.program, actor=running.coordinator)

    assert card == {"id": link.child_id, "name": link.child.given_name, "grade": 4}
    assert roster.children[0]["grade"] == 4
