"""The retention of children's program data: ``manage.py communities_program_retention``
end to end — the children's rows and files gone, the counts kept, the seniors' data kept, a
program inside the period untouched, a second run and a dry run changing nothing — and what the
API shows afterwards."""

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from communities import services
from communities.models import (
    Program,
    ProgramChild,
    ProgramConsent,
    ProgramSession,
    SessionAttendance,
    SessionPhoto,
    SessionPhotoTag,
    SessionReflection,
)
from communities.program_selectors import program_participation
from communities.services.programs import retention
from messaging import services as messaging
from messaging.models import Message, MessageEdit, RoomMember
from tests.communities.builders import jpeg_with_gps
from tests.communities.program_builders import (
    Running,
    consented_child,
    running_program,
    volunteer_in,
)

pytestmark = pytest.mark.django_db


def say(room_id: int, author, body: str) -> Message:
    message, _created = messaging.message_send(
        room_id=room_id, author=author, client_id=str(uuid.uuid4()), body=body
    )
    return message


class Held:
    """A program whose one session was held yesterday: a vetted senior and two children took
    part (one later withdrawn), with attendance, reflections, a photo and chat."""

    def __init__(self, **values: object) -> None:
        self.running: Running = running_program(**values)
        program = self.running.program
        coordinator = self.running.coordinator
        self.senior = volunteer_in(self.running)
        self.links = [consented_child(self.running), consented_child(self.running)]
        self.children = [link.child for link in self.links]
        start = timezone.now() - timedelta(days=1)
        self.session = ProgramSession.objects.create(
            program=program, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        for resident in [self.senior, *self.children]:
            services.attendance_record(
                actor=coordinator, session_id=self.session.pk, resident_id=resident.pk, present=True
            )
        services.reflection_write(
            actor=self.senior, session_id=self.session.pk, text_value="Kendama with the children."
        )
        services.reflection_write(
            actor=self.links[0].guardian,
            session_id=self.session.pk,
            text_value="たのしかった",
            child_id=self.children[0].pk,
        )
        self.photo = services.photo_add(
            actor=coordinator,
            session_id=self.session.pk,
            upload=SimpleUploadedFile("IMG.jpg", jpeg_with_gps(), content_type="image/jpeg"),
            child_ids=[self.children[0].pk],
        )
        room_id = program.room_id
        self.child_said = say(room_id, self.children[0], "けん玉できた!")
        messaging.message_edit(
            room_id=room_id, seq=self.child_said.seq, author=self.children[0], body="けん玉!"
        )
        self.senior_said = say(room_id, self.senior, "Well done, everyone.")
        self.other_child_said = say(room_id, self.children[1], "またね")
        # The second child's guardian withdraws afterwards: the place and consent stay on record.
        services.consent_withdraw(
            actor=self.links[1].guardian, program_id=program.pk, child_id=self.children[1].pk
        )

    @property
    def program(self) -> Program:
        return Program.objects.get(pk=self.running.program.pk)


def after_term(held: Held, days: int = 366) -> str:
    return (held.program.ends_on + timedelta(days=days)).isoformat()


def run(*args: str) -> str:
    out = StringIO()
    call_command("communities_program_retention", "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_the_command_deletes_the_childrens_data_and_keeps_counts_and_the_seniors(
    django_capture_on_commit_callbacks,
):
    held = Held()
    later = Held(ends_on=(timezone.localdate() + timedelta(days=200)).isoformat())
    photo_file = held.photo.image.name
    assert default_storage.exists(photo_file)
    before = [
        (row.children_present, row.volunteers_present)
        for row in program_participation(program=held.program)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        output = run("--today", after_term(held))

    assert "Purged the children's data of 1 program(s)." in output
    program = held.program
    assert program.child_data_purged_at is not None
    assert program.status == "ended"  # it was still published: nobody joins it now
    # Children's rows gone.
    assert not SessionReflection.objects.filter(session__program=program, author__in=held.children)
    assert not SessionAttendance.objects.filter(
        session__program=program, resident__in=held.children
    )
    assert not ProgramChild.objects.filter(program=program).exists()
    assert not ProgramConsent.objects.filter(program=program).exists()
    assert not SessionPhoto.objects.filter(session__program=program).exists()
    assert not SessionPhotoTag.objects.filter(photo_id=held.photo.pk).exists()
    assert not default_storage.exists(photo_file)
    # The counts kept: 2 children and 1 volunteer came, before and after.
    assert before == [(2, 1), (0, 0)]  # the session held, and the one next week
    assert [
        (row.children_present, row.volunteers_present)
        for row in program_participation(program=program)
    ] == [(2, 1), (0, 0)]
    assert ProgramSession.objects.get(pk=held.session.pk).children_present == 2
    # The senior's data stays.
    assert SessionReflection.objects.get(session=held.session).author == held.senior
    assert SessionAttendance.objects.get(session=held.session).resident == held.senior
    assert program.volunteers.get().resident == held.senior
    # The room: children and their guardians out, the children's words erased, the senior's kept.
    members = set(
        RoomMember.objects.filter(room_id=program.room_id).values_list("resident_id", flat=True)
    )
    assert members.isdisjoint(
        {*(child.pk for child in held.children), *(link.guardian_id for link in held.links)}
    )
    assert held.senior.pk in members
    for said in (held.child_said, held.other_child_said):
        said.refresh_from_db()
        assert (said.body, said.author_id, said.removal_final) == ("", None, True)
        assert said.removed_at is not None
    assert not MessageEdit.objects.filter(message=held.child_said).exists()
    held.senior_said.refresh_from_db()
    assert (held.senior_said.body, held.senior_said.author) == ("Well done, everyone.", held.senior)
    # One audit entry, counts only.
    entry = AuditEvent.objects.get(action="program.child_data_purged")
    assert entry.target_id == str(program.pk)
    assert entry.detail == {
        "children": 2,
        "consents": 2,
        "reflections": 1,
        "attendance": 2,
        "photos": 1,
        "messages": 2,
    }
    # The program inside its period is untouched.
    untouched = later.program
    assert untouched.child_data_purged_at is None
    assert ProgramChild.objects.filter(program=untouched).count() == 2
    assert SessionAttendance.objects.filter(session__program=untouched).count() == 3
    assert SessionPhoto.objects.filter(session__program=untouched).count() == 1
    assert default_storage.exists(later.photo.image.name)


def test_a_second_run_purges_nothing(django_capture_on_commit_callbacks):
    held = Held()
    run("--today", after_term(held))
    purged_at = held.program.child_data_purged_at

    output = run("--today", after_term(held, days=400))

    assert "Purged the children's data of 0 program(s)." in output
    assert held.program.child_data_purged_at == purged_at
    assert AuditEvent.objects.filter(action="program.child_data_purged").count() == 1


def test_a_dry_run_prints_what_would_go_and_changes_nothing():
    held = Held()

    output = run("--today", after_term(held), "--dry-run")

    assert (
        f"program {held.program.pk}: would delete 2 child(ren)'s places, 2 consent(s), "
        "1 reflection(s), 2 attendance record(s), 1 photo(s), 2 message(s)"
    ) in output
    assert "nothing was changed" in output
    assert held.program.child_data_purged_at is None
    assert ProgramChild.objects.count() == 2
    assert SessionAttendance.objects.count() == 3
    assert SessionReflection.objects.count() == 2
    assert SessionPhoto.objects.count() == 1
    assert Message.objects.filter(body="").count() == 0
    assert not AuditEvent.objects.filter(action="program.child_data_purged").exists()


def test_an_ended_or_cancelled_program_counts_from_that_day_not_its_term():
    held = Held(ends_on=(timezone.localdate() + timedelta(days=300)).isoformat())
    services.program_end(actor=held.running.coordinator, program_id=held.running.program.pk)
    day = timezone.localdate()

    inside = run("--today", (day + timedelta(days=365)).isoformat())
    assert held.program.child_data_purged_at is None
    past = run("--today", (day + timedelta(days=366)).isoformat())

    assert "0 program(s)" in inside
    assert "1 program(s)" in past
    assert held.program.child_data_purged_at is not None


def test_the_period_comes_from_the_setting(settings):
    settings.PROGRAM_CHILD_DATA_RETENTION_DAYS = 30
    held = Held()

    run("--today", after_term(held, days=31))

    assert held.program.child_data_purged_at is not None


def test_one_program_failing_does_not_lose_the_others(monkeypatch):
    failing, fine = Held(), Held()
    real = retention._count_children_present

    def count(program, children):
        if program.pk == failing.running.program.pk:
            raise RuntimeError("disk on fire")
        real(program, children)

    monkeypatch.setattr(retention, "_count_children_present", count)
    err = StringIO()

    with pytest.raises(CommandError, match="1 program"):
        call_command(
            "communities_program_retention",
            "--no-progress",
            "--today",
            after_term(fine),
            stdout=StringIO(),
            stderr=err,
        )

    assert f"program {failing.running.program.pk}: failed" in err.getvalue()
    assert fine.program.child_data_purged_at is not None
    assert failing.program.child_data_purged_at is None
    assert ProgramChild.objects.filter(program=failing.program).count() == 2
    assert RoomMember.objects.filter(
        room_id=failing.program.room_id, resident=failing.children[0]
    ).exists()
    assert Message.objects.get(pk=failing.child_said.pk).body == "けん玉!"


def test_a_bad_today_is_refused():
    with pytest.raises(CommandError, match="--today"):
        run("--today", "tomorrow")


def test_the_api_afterwards_shows_no_purged_child(signed_in):
    held = Held()
    run("--today", after_term(held))
    program_url = f"/api/v1/programs/{held.program.pk}/"

    roster = signed_in(held.running.coordinator).get(program_url + "roster/").json()
    consents = signed_in(held.running.coordinator).get(program_url + "consents/").json()
    guardian = signed_in(held.links[0].guardian).get("/api/v1/programs/my-children/").json()
    child_list = signed_in(held.children[0]).get("/api/v1/programs/").json()
    child_detail = signed_in(held.children[0]).get(program_url)

    assert roster["children"] == []
    assert [row["id"] for row in roster["volunteers"]] == [held.senior.pk]
    assert consents["results"] == []
    assert guardian == []
    assert child_list["results"] == []
    assert child_detail.status_code == 404
