"""``manage.py seed_demo_programs``: the demo town's intergenerational programs, run after
``seed_demo`` (it needs the school 桜台小学校, its coordinator 田中 誠, its pupils with their
school years, and the city staff persona who vets volunteers).

One program runs at 桜台小学校 — 「むかし遊びと町のはなし」, school years 2–6 — showing each part
of the path:

- the coordinator persona (vetted) created it, added five sessions (two held, three to come)
  and published it; the program's room has his welcome and a senior's message;
- seniors with volunteer offers: the senior persona 高橋 茂 and one of the crowd take part
  (vetted); another is invited and has not answered; another, vetted, is a match still to
  invite; another offered but holds no vetting record (the matches say he cannot take part);
  and one who took part was taken off when his vetting ran out (he and the coordinator were
  told);
- children, each through their guardian: 陽葵 (the child persona, photos allowed) and two
  pupils of the crowd take part (one without photos); one guardian consented and then withdrew;
  one consented without signing the child up (the coordinator adds her); one pupil has no
  consent;
- the sessions held have attendance, reflections (a senior's, 陽葵's own, and one a guardian
  wrote for a younger child) and a drawing of the first session tagged with the two children
  whose guardians allowed photos.

A second program, 「しょうぎで遊ぼう」, is a draft the coordinator can publish.

Everything goes through ``communities.services`` acting as the people who would do it.  Only
history is written directly: a vetting record is entered current, so the one that ran out is
back-dated before the daily expiry run (``safeguarding.vetting_expiry_notify``) is asked.
Deterministic (a fixed random seed; dates counted from today) and idempotent: a program is keyed
on its title, and one that exists is left as it is.  Refused in production.
"""

import io
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw

from campus_social.audit.services import audit_record
from campus_social.identity.management.commands.seed_demo import PERSONAS
from campus_social.identity.models import District, GuardianLink, Organisation, Resident
from campus_social.identity.selectors import OPERATOR
from campus_social.safeguarding import services as safeguarding
from campus_social.safeguarding.models import VettingRecord
from communities import services
from communities.models import Program, ProgramSession
from communities.values import ProgramStatus
from messaging import services as messaging

SEED = 20261208
SCHOOL = "sakuradai-elementary"
PERSONA_LOGIN = {persona.key: persona.login_name for persona in PERSONAS}
RUNNING_TITLE = "むかし遊びと町のはなし"
DRAFT_TITLE = "しょうぎで遊ぼう"
# Days from today of the running program's sessions, each 15:30–16:30: two held, three to come.
SESSION_DAYS = (-21, -7, 7, 21, 35)
SESSION_START = time(15, 30)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Volunteer:
    """A senior with a volunteer offer, and how far they came in the running program."""

    skills: str
    topics: tuple[str, ...]
    # "accepted", "invited", "match" (vetted, not invited yet), "unvetted" or "expired".
    standing: str
    persona: str = ""  # a persona key, or one of the crowd


VOLUNTEERS = (
    Volunteer(
        persona="senior",
        skills="将棋を五十年。町の昔の写真をたくさん持っています。子どもたちに昔の遊びを教えたい。",
        topics=("history", "other"),
        standing="accepted",
    ),
    Volunteer(
        skills="お手玉やおはじきなど、むかし遊びを教えられます。民謡も少し。",
        topics=("history", "music"),
        standing="accepted",
    ),
    Volunteer(
        skills="けん玉と竹とんぼ作り。木工の道具の使い方を安全に教えます。",
        topics=("crafts", "history"),
        standing="invited",
    ),
    Volunteer(
        skills="桜台の農家で育ちました。田植えや野菜づくりの話ができます。",
        topics=("nature", "history"),
        standing="match",
    ),
    Volunteer(
        skills="書道を教えて四十年。筆の持ち方から。",
        topics=("arts",),
        standing="unvetted",
    ),
    Volunteer(
        skills="紙芝居で町の言い伝えを読みます。",
        topics=("history",),
        standing="expired",
    ),
)


@dataclass(frozen=True)
class Pupil:
    """A pupil of 桜台小学校 in the program's school years, and what their guardian did."""

    # "taking_part", "consented" (not signed up), "withdrawn" or "none".
    consent: str
    photos: bool = False
    persona: str = ""  # a persona key, or the next pupil of the crowd


PUPILS = (
    Pupil(persona="child", consent="taking_part", photos=True),
    Pupil(consent="taking_part", photos=True),
    Pupil(consent="taking_part", photos=False),
    Pupil(consent="withdrawn", photos=True),
    Pupil(consent="consented", photos=True),
    Pupil(consent="none"),
)

REFLECTIONS = {
    # (session index, who) -> text; "senior" the persona, "child" 陽葵 herself, "guardian" a
    # guardian writing for the younger child who takes part without photos.
    (0, "senior"): (
        "子どもたちの飲みこみの早さに驚きました。こまを回せた子の笑顔が忘れられません。"
        "次は昔の町の写真を持っていきます。"
    ),
    (0, "child"): "こまが 三かい まわせた。たかはしさんが ほめてくれて うれしかった。",
    (1, "guardian"): "おはじきが たのしかった。またやりたい。(保護者が代わりに書きました)",
}

ROOM_MESSAGES = (
    (
        "coordinator",
        "「むかし遊びと町のはなし」の部屋です。連絡はここでします。よろしくお願いします。",
    ),
    ("senior", "次回は昔の桜台の写真を持っていきます。駅ができる前の写真もありますよ。"),
)


class Command(BaseCommand):
    help = (
        "Add the demo town's intergenerational programs at 桜台小学校 (after seed_demo): one "
        "running with volunteers, consents, sessions, attendance, reflections and a photo; one "
        "draft. Safe to run again. Refused in production mode."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Accepted for symmetry; prints no bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo_programs is refused in production mode.")
        school = Organisation.objects.filter(slug=SCHOOL).first()
        personas = {
            resident.login_name: resident
            for resident in Resident.objects.filter(login_name__in=PERSONA_LOGIN.values())
        }
        if school is None or len(personas) != len(PERSONA_LOGIN):
            raise CommandError("Run seed_demo first: the programs need the demo town.")
        self.school = school
        self.personas = {key: personas[login] for key, login in PERSONA_LOGIN.items()}
        self.today = timezone.localdate()
        self.rng = random.Random(SEED)  # noqa: S311 -- demo data, not secrets
        made: list[Program] = []
        # The notices go out as mail to those who asked for it: not from a demo.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            if not Program.objects.filter(school=school, title=RUNNING_TITLE).exists():
                made.append(self._seed_running())
            if not Program.objects.filter(school=school, title=DRAFT_TITLE).exists():
                made.append(self._seed_draft())
            if made:
                audit_record(
                    actor=OPERATOR, action="demo.programs_seeded", detail={"programs": len(made)}
                )
        self._summarise([Program.objects.get(pk=program.pk) for program in made])

    # --- The running program -----------------------------------------------------------------

    def _seed_running(self) -> Program:
        coordinator = self.personas["coordinator"]
        self._vet(coordinator)
        program = services.program_create(
            actor=coordinator,
            school_id=self.school.pk,
            values={
                "title": RUNNING_TITLE,
                "title_kana": "むかしあそびとまちのはなし",
                "theme": "history",
                "description": (
                    "地域のシニアの方と、こま・お手玉・おはじきなどのむかし遊びをします。"
                    "桜台の昔の写真を見ながら、町がどう変わってきたかのお話も聞きます。"
                ),
                "grade_min": 2,
                "grade_max": 6,
                "starts_on": self.today + timedelta(days=SESSION_DAYS[0] - 7),
                "ends_on": self.today + timedelta(days=SESSION_DAYS[-1] + 14),
                "venue": "桜台小学校 多目的室",
                "district_id": District.objects.get(slug="sakuradai").pk,
                "seniors_needed": 4,
                "children_needed": 8,
            },
        )
        sessions = [
            services.session_add(
                actor=coordinator,
                program_id=program.pk,
                starts_at=self._at(days),
                ends_at=self._at(days) + timedelta(hours=1),
            )
            for days in SESSION_DAYS
        ]
        services.program_publish(actor=coordinator, program_id=program.pk)
        volunteers = self._seed_volunteers(program, coordinator, sessions)
        children = self._seed_children(program, coordinator)
        held = [session for session in sessions if session.starts_at < timezone.now()]
        self._seed_attendance(held, coordinator, volunteers, children)
        self._seed_reflections(held, children)
        self._seed_photo(held[0], coordinator, children)
        self._seed_room(program)
        return program

    def _at(self, days: int) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.today + timedelta(days=days), SESSION_START)
        )

    def _vet(self, resident: Resident, *, checked_days_ago: int = 200) -> None:
        """A current vetting record, as the city staff persona records it."""
        safeguarding.vetting_record_add(
            actor=self.personas["staff"],
            resident=resident,
            checked_on=self.today - timedelta(days=checked_days_ago),
            expires_on=self.today + timedelta(days=3 * 365),
            note="子どもと関わる活動の確認済み",
        )

    def _seniors_of_the_crowd(self, count: int) -> list[Resident]:
        seniors = [
            resident
            for resident in Resident.objects.filter(
                login_name__startswith="demo-", is_active=True
            ).order_by("login_name")
            if resident.age_band == "senior" and (resident.age or 0) <= 80
        ]
        return self.rng.sample(seniors, count)

    def _seed_volunteers(
        self, program: Program, coordinator: Resident, sessions: list[ProgramSession]
    ) -> list[Resident]:
        """Offers, vetting and invitations; returns the seniors taking part."""
        crowd = iter(self._seniors_of_the_crowd(len(VOLUNTEERS)))
        districts = [
            District.objects.get(slug=slug).pk for slug in ("sakuradai", "chuo", "higashiyama")
        ]
        # Free on the sessions' weekday afternoon (the matches count it), and one more slot.
        weekday = _WEEKDAYS[self.today.weekday()]
        taking_part: list[Resident] = []
        for index, spec in enumerate(VOLUNTEERS):
            senior = self.personas[spec.persona] if spec.persona else next(crowd)
            if spec.standing != "unvetted":
                self._vet(senior)
            services.volunteer_offer_set(
                actor=senior,
                skills=spec.skills,
                topics=list(spec.topics),
                district_ids=districts[: 1 + index % 3],
                availability=[f"{weekday}-afternoon", "sat-morning"],
            )
            if spec.standing in ("match", "unvetted"):
                continue
            services.volunteer_invite(
                actor=coordinator, program_id=program.pk, resident_id=senior.pk
            )
            if spec.standing == "invited":
                continue
            services.volunteer_answer(actor=senior, program_id=program.pk, accept=True)
            if spec.standing == "expired":
                self._vetting_runs_out(senior)
            else:
                taking_part.append(senior)
        return taking_part

    def _vetting_runs_out(self, senior: Resident) -> None:
        """The senior's record ran out yesterday (back-dated: a record is entered current);
        the daily expiry run tells him, and programs take him off (``vetting_expired``)."""
        VettingRecord.objects.filter(resident=senior).update(
            checked_on=self.today - timedelta(days=3 * 365),
            expires_on=self.today - timedelta(days=1),
        )
        safeguarding.vetting_expiry_notify(resident_id=senior.pk, today=self.today)

    def _pupils(self) -> list[Resident]:
        """Pupils of the school in school years 2–6 with a guardian, the persona first."""
        child = self.personas["child"]
        crowd = list(
            Resident.objects.filter(
                login_name__startswith="demo-",
                school_placement__school=self.school,
                school_placement__school_year__gte=2,
                school_placement__school_year__lte=6,
                guardian_links__isnull=False,
            )
            .distinct()
            .order_by("-school_placement__school_year", "login_name")
        )
        return [child, *crowd]

    def _guardian(self, child: Resident) -> Resident:
        link = GuardianLink.objects.select_related("guardian").filter(child=child).first()
        assert link is not None, f"{child.login_name} has no guardian"
        return link.guardian

    def _seed_children(self, program: Program, coordinator: Resident) -> dict[str, Resident]:
        """Consents as each guardian gave them; returns the children taking part by role:
        ``child`` (the persona, photos allowed), ``photos`` and ``no_photos``."""
        pupils = iter(self._pupils())
        taking_part: dict[str, Resident] = {}
        for spec in PUPILS:
            child = next(pupils, None)
            if child is None:
                break  # a smaller town than the demo's: fewer pupils to show
            if spec.consent == "none":
                continue
            guardian = self._guardian(child)
            services.consent_give(
                actor=guardian,
                program_id=program.pk,
                child_id=child.pk,
                photos_allowed=spec.photos,
                sign_up=spec.consent in ("taking_part", "withdrawn"),
            )
            if spec.consent == "withdrawn":
                services.consent_withdraw(actor=guardian, program_id=program.pk, child_id=child.pk)
            elif spec.consent == "taking_part":
                role = (
                    "child" if spec.persona == "child" else "photos" if spec.photos else "no_photos"
                )
                taking_part.setdefault(role, child)
        return taking_part

    def _seed_attendance(
        self,
        held: list[ProgramSession],
        coordinator: Resident,
        volunteers: list[Resident],
        children: dict[str, Resident],
    ) -> None:
        """Everyone came to both sessions held, except the child without photos the first time."""
        for index, session in enumerate(held):
            for resident in [*volunteers, *children.values()]:
                absent = index == 0 and resident == children.get("no_photos")
                services.attendance_record(
                    actor=coordinator,
                    session_id=session.pk,
                    resident_id=resident.pk,
                    present=not absent,
                )

    def _seed_reflections(self, held: list[ProgramSession], children: dict[str, Resident]) -> None:
        for (index, who), text in REFLECTIONS.items():
            session = held[index]
            if who == "senior":
                services.reflection_write(
                    actor=self.personas["senior"], session_id=session.pk, text_value=text
                )
            elif who == "child":
                services.reflection_write(
                    actor=self.personas["child"], session_id=session.pk, text_value=text
                )
            elif "no_photos" in children:
                child = children["no_photos"]
                services.reflection_write(
                    actor=self._guardian(child),
                    session_id=session.pk,
                    text_value=text,
                    child_id=child.pk,
                )

    def _seed_photo(
        self, session: ProgramSession, coordinator: Resident, children: dict[str, Resident]
    ) -> None:
        """A drawing stands in for a photo of the first session, tagged with the children whose
        guardians allowed photos."""
        tagged = [children[role].pk for role in ("child", "photos") if role in children]
        services.photo_add(
            actor=coordinator,
            session_id=session.pk,
            upload=SimpleUploadedFile("koma.jpg", _drawing(), content_type="image/jpeg"),
            child_ids=tagged,
        )

    def _seed_room(self, program: Program) -> None:
        assert program.room_id is not None
        for index, (who, body) in enumerate(ROOM_MESSAGES):
            messaging.message_send(
                room_id=program.room_id,
                author=self.personas[who],
                client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-program-{program.pk}-{index}"),
                body=body,
            )

    # --- The draft ---------------------------------------------------------------------------

    def _seed_draft(self) -> Program:
        coordinator = self.personas["coordinator"]
        if not VettingRecord.objects.filter(resident=coordinator).exists():
            self._vet(coordinator)
        starts = self.today + timedelta(days=60)
        program = services.program_create(
            actor=coordinator,
            school_id=self.school.pk,
            values={
                "title": DRAFT_TITLE,
                "title_kana": "しょうぎであそぼう",
                "theme": "other",
                "description": "シニアの方と将棋をさします。駒の動かし方から始めます。",
                "grade_min": 3,
                "grade_max": 6,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=60),
                "venue": "桜台小学校 図書室",
                "district_id": District.objects.get(slug="sakuradai").pk,
                "seniors_needed": 2,
                "children_needed": 10,
            },
        )
        session_start = timezone.make_aware(
            datetime.combine(starts + timedelta(days=7), SESSION_START)
        )
        services.session_add(
            actor=coordinator,
            program_id=program.pk,
            starts_at=session_start,
            ends_at=session_start + timedelta(hours=1),
        )
        return program

    # --- Output ------------------------------------------------------------------------------

    def _summarise(self, made: list[Program]) -> None:
        if not made:
            self.stdout.write("The demo programs are already there; nothing was changed.")
            return
        for program in made:
            state = ProgramStatus(program.status).label
            children = program.children.filter(left_at__isnull=True).count()
            volunteers = program.volunteers.filter(status="accepted").count()
            self.stdout.write(
                self.style.SUCCESS(
                    f"{program.title} ({state}): {volunteers} volunteer(s), {children} child(ren)"
                )
            )
        coordinator = next(p for p in PERSONAS if p.key == "coordinator")
        self.stdout.write(
            f"Try /programs/coordinating/ as {coordinator.name} (card {coordinator.card_id}, "
            f"PIN {coordinator.pin}); docs/demo.md says more."
        )


def _drawing() -> bytes:
    """A small picture of two spinning tops on a table: a stand-in for a session photo."""
    image = Image.new("RGB", (640, 480), (250, 240, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 330, 640, 480), fill=(190, 150, 100))
    for x, colour in ((220, (200, 40, 40)), (420, (40, 90, 190))):
        draw.polygon([(x - 70, 250), (x + 70, 250), (x, 340)], fill=colour)
        draw.ellipse((x - 70, 225, x + 70, 275), fill=colour, outline=(60, 40, 20), width=3)
        draw.line((x, 200, x, 240), fill=(60, 40, 20), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
