"""``manage.py seed_demo_circles``: learner circles for the demo town 青葉市, run after
``seed_demo`` and ``seed_demo_courses``.

First every published offering's cohort gets its circle (``circle_cohort_sync``: in ``make run``
the domain events of ``seed_demo_courses`` have already made them, and this changes nothing),
and those who completed the ended offering keep their membership for good.  Then four
free-standing circles, each showing a way of joining:

- 東山さんぽの会 — open; the senior persona organises it; members from the crowd, a walk held
  three weeks ago, the next one with answers, a discussion with replies, a map link;
- 駅前読書会 — moderated; the registrar persona organises it; one request waits for her;
- 桜台 子育てしゃべり場 — invite-only; the guardian persona organises it; the school
  coordinator persona has an invitation, and everyone else cannot see it;
- こども書き初めクラブ — for children; the lecturer persona (vetted) organises it; the guardian
  persona joined her child 陽葵, and two more children came through their guardians.

The circle of the course that ended last month keeps going: its members met again four weeks
after the last session, and talk about meeting again, so the city staff's "still alive after N
weeks" figure has something to count.

Everything goes through ``communities.services``, acting as the people who would do it.  Only
meetings already held are written directly: the services rightly refuse to plan a meeting in
the past.  Deterministic (a fixed random seed; dates are counted from today) and idempotent: a
free-standing circle is keyed on its name, the ended course's reunion on its title, and what
exists is left exactly as it is.  Refused in production.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from tqdm import tqdm

from campus_social.audit.services import audit_record
from campus_social.identity.management.commands.seed_demo import PERSONAS
from campus_social.identity.models import District, GuardianLink, Resident
from campus_social.identity.selectors import OPERATOR
from communities import services
from communities.models import Circle, CircleEvent, CircleMember
from courses.selectors import (
    completion_list,
    offerings_with_completions_ids,
    published_offering_ids,
)

SEED = 20250520
PERSONA_LOGIN = {persona.key: persona.login_name for persona in PERSONAS}
REUNION_TITLE = "修了から四週間 ― 再会の手紙の会"
REUNION_AFTER = timedelta(weeks=4, minutes=30)  # the same weekday, just after the old class time
REUNION_REPLIES = ("いいですね。来月、同じ部屋を取ります。", "ぜひ参加します。", "賛成です！")
ACTIVE = CircleMember.Status.ACTIVE
ORGANISER, MEMBER = CircleMember.Role.ORGANISER, CircleMember.Role.MEMBER


@dataclass(frozen=True)
class Meeting:
    title: str
    place: str
    days: int  # from today: negative for one already held
    start: time
    minutes: int
    description: str = ""
    answers: tuple[str, ...] = ()  # the members' answers, in turn ("yes", "maybe", "no")


@dataclass(frozen=True)
class Discussion:
    title: str
    body: str
    replies: tuple[str, ...]
    by_organiser: bool = False  # or by the first member


@dataclass(frozen=True)
class CircleSpec:
    name: str
    name_kana: str
    description: str
    district: str
    visibility: str
    topics: tuple[str, ...]
    organiser: str  # a persona key
    members: int  # residents of the crowd who are in it
    # The crowd it draws on: "adult", "parent", "senior" or "child" (who comes with a guardian).
    crowd: str = "adult"
    for_children: bool = False
    personas: tuple[str, ...] = ()  # persona keys who are members (a child by their guardian)
    requests: int = 0  # residents of the crowd whose request waits (a moderated circle)
    invited: tuple[str, ...] = ()  # persona keys with an invitation waiting
    meetings: tuple[Meeting, ...] = ()
    discussions: tuple[Discussion, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # (title, url)


CIRCLES: list[CircleSpec] = [
    CircleSpec(
        name="東山さんぽの会",
        name_kana="ひがしやまさんぽのかい",
        description=(
            "東山の遊歩道や旧街道を、おしゃべりしながら一時間ほど歩きます。坂道は少なめ、"
            "休憩も多めです。歩いたあとは東山地区センターでお茶を飲みます。どなたでもどうぞ。"
        ),
        district="higashiyama",
        visibility=Circle.Visibility.OPEN,
        topics=("health", "nature"),
        organiser="senior",
        members=6,
        crowd="senior",
        meetings=(
            Meeting(
                title="新緑の東山遊歩道を歩く",
                place="東山地区センター前 集合",
                days=-21,
                start=time(9, 0),
                minutes=90,
            ),
            Meeting(
                title="旧街道の道しるべめぐり",
                place="本町 旧街道入口（本町公民館前）集合",
                days=10,
                start=time(9, 0),
                minutes=120,
                description="道しるべを七つ探します。歩きやすい靴と飲み物をお持ちください。",
                answers=("yes", "yes", "maybe", "yes", "no"),
            ),
        ),
        discussions=(
            Discussion(
                title="次に歩きたいコース",
                body="港町の海沿いはどうでしょう。朝なら涼しいと思います。",
                replies=(
                    "いいですね。港町公民館でお手洗いも借りられます。",
                    "坂が少ないので、ひざの悪い私も助かります。",
                    "では来月の候補にしましょう。地図を探しておきます。",
                ),
            ),
        ),
        links=(
            ("東山遊歩道マップ（青葉市）", "https://www.city.aoba.example.jp/parks/higashiyama"),
        ),
    ),
    CircleSpec(
        name="駅前読書会",
        name_kana="えきまえどくしょかい",
        description=(
            "月に一冊、同じ本を読んで、駅前コミュニティセンターで感想を話し合います。"
            "参加を希望される方は、好きな本をひとこと添えてお申し込みください。"
        ),
        district="ekimae",
        visibility=Circle.Visibility.MODERATED,
        topics=("languages", "history"),
        organiser="registrar",
        members=4,
        requests=1,
        meetings=(
            Meeting(
                title="今月の本：『城下町の記憶』",
                place="駅前コミュニティセンター 和室",
                days=12,
                start=time(19, 0),
                minutes=90,
                answers=("yes", "maybe"),
            ),
        ),
        discussions=(
            Discussion(
                title="来月の本の候補",
                body="候補を一冊ずつ挙げてください。多数決で決めます。",
                replies=("青葉の港の歴史を書いた本を読みたいです。",),
                by_organiser=True,
            ),
        ),
    ),
    CircleSpec(
        name="桜台 子育てしゃべり場",
        name_kana="さくらだい こそだてしゃべりば",
        description=(
            "桜台で子育て中の保護者が、学校行事や習いごとのことを気軽に話す場です。"
            "メンバーの紹介で参加できます。"
        ),
        district="sakuradai",
        visibility=Circle.Visibility.INVITE_ONLY,
        topics=("other",),
        organiser="guardian",
        members=2,
        crowd="parent",
        invited=("coordinator",),
        discussions=(
            Discussion(
                title="夏休みの自由研究、どうしていますか",
                body="去年は朝顔の観察でした。今年は何にしようか親子で悩んでいます。",
                replies=("まちなかキャンパスの子ども講座を使うのもいいですよ。",),
                by_organiser=True,
            ),
        ),
    ),
    CircleSpec(
        name="こども書き初めクラブ",
        name_kana="こどもかきぞめくらぶ",
        description=(
            "小学生のための書き初めクラブです。こども書道教室のあとも、月に一度集まって"
            "大きな字を書きます。保護者の方がお申し込みください。"
        ),
        district="sakuradai",
        visibility=Circle.Visibility.OPEN,
        topics=("arts",),
        organiser="lecturer",
        members=2,
        crowd="child",
        for_children=True,
        personas=("child",),
        meetings=(
            Meeting(
                title="書き初めの練習会",
                place="桜台地区センター 和室",
                days=14,
                start=time(10, 0),
                minutes=60,
                description="汚れてもよい服装でお越しください。半紙と墨は用意します。",
                answers=("yes", "yes", "maybe"),
            ),
        ),
        discussions=(
            Discussion(
                title="練習会の持ち物",
                body="筆と文鎮があればお持ちください。なければお貸しします。",
                replies=(),
                by_organiser=True,
            ),
        ),
    ),
]


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


class Command(BaseCommand):
    help = (
        "Add learner circles to the demo town (run seed_demo and seed_demo_courses first): "
        "every published course offering's cohort gets its circle, and four free-standing "
        "circles (open, moderated, invite-only, for children) get members, meetings, "
        "discussions and a link. The circle of the course that ended last month meets again. "
        "Safe to run again: circles that exist are kept as they are. Refused in production mode."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo_circles is refused in production mode.")
        people = {
            resident.login_name: resident
            for resident in Resident.objects.filter(login_name__in=PERSONA_LOGIN.values())
        }
        if len(people) < len(PERSONA_LOGIN) or not District.objects.exists():
            raise CommandError("The demo town is missing: run `manage.py seed_demo` first.")
        if not published_offering_ids():
            raise CommandError(
                "The demo courses are missing: run `manage.py seed_demo_courses` first."
            )
        self.personas = {key: people[login] for key, login in PERSONA_LOGIN.items()}
        self.today = timezone.localdate()
        show_progress = not options["no_progress"] and self.stdout.isatty()
        existing = set(Circle.objects.filter(offering__isnull=True).values_list("name", flat=True))
        missing = [spec for spec in CIRCLES if spec.name not in existing]

        # The demo's addresses are made up (example.com): the console mail backend would print
        # every notification email into this command's output.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            offering_ids = services.cohort_offering_ids()
            made_before = Circle.objects.filter(offering__isnull=False).count()
            added = sum(
                services.circle_cohort_sync(offering_id=offering_id)
                for offering_id in tqdm(
                    offering_ids, desc="course circles", unit="", disable=not show_progress
                )
            )
            course_circles = Circle.objects.filter(offering__isnull=False).count() - made_before
            self._keep_completers()
            made = [
                self._seed_circle(spec)
                for spec in tqdm(missing, desc="circles", unit="", disable=not show_progress)
            ]
            reunion = self._seed_reunion()
            if course_circles or added or made or reunion:
                audit_record(
                    actor=OPERATOR,
                    action="demo.circles_seeded",
                    detail={"course_circles": course_circles, "circles": len(made)},
                )
        self._summarise(course_circles, added, made, reunion)

    # --- Circles born from courses ---------------------------------------------------------

    def _keep_completers(self) -> None:
        """Completers keep their membership for good (what ``offering_completed`` does; run
        again here in case its event never arrived)."""
        for offering_id in offerings_with_completions_ids():
            services.circle_cohort_completed(
                offering_id=offering_id,
                resident_ids=[c.resident_id for c in completion_list(offering_id=offering_id)],
            )

    def _ended_course_circle(self) -> Circle | None:
        """The circle of the offering that ended most recently."""
        return (
            Circle.objects.select_related("offering")
            .filter(
                offering_id__in=published_offering_ids(),
                offering__last_session_ends_at__lt=timezone.now(),
                closed_at__isnull=True,
            )
            .order_by("-offering__last_session_ends_at")
            .first()
        )

    def _seed_reunion(self) -> Circle | None:
        """The ended course's circle met again four weeks after the last session, and its
        members talk about the next time.  ``None`` when there was nothing to do."""
        circle = self._ended_course_circle()
        if circle is None or circle.offering is None:
            return None
        ended = circle.offering.last_session_ends_at
        assert ended is not None
        reunion_at = ended + REUNION_AFTER
        if reunion_at > timezone.now() - timedelta(hours=2):
            return None  # too soon after the course: nothing to show yet
        if CircleEvent.objects.filter(circle=circle, title=REUNION_TITLE).exists():
            return None
        standings = circle.memberships.filter(status=ACTIVE).select_related("resident")
        organiser = next((m.resident for m in standings if m.role == ORGANISER), None)
        members = sorted(
            (m.resident for m in standings if m.role == MEMBER and not m.resident.is_child),
            # The senior persona completed the course: he speaks first.
            key=lambda r: (r != self.personas["senior"], r.login_name),
        )
        if organiser is None or not members:
            return None
        CircleEvent.objects.create(
            circle=circle,
            title=REUNION_TITLE,
            description="講座と同じ部屋で、季節の手紙を書き合いました。",
            place=circle.offering.venue,
            starts_at=reunion_at,
            ends_at=reunion_at + timedelta(minutes=90),
            created_by=organiser,
            created_at=reunion_at - timedelta(days=10),
        )
        thread = services.thread_create(
            actor=members[0],
            circle_id=circle.pk,
            title="また集まりませんか",
            body="再会の会、楽しかったです。次は暑中見舞いを書く会をしませんか。",
        )
        for writer, text in zip([organiser, *members[1:3]], REUNION_REPLIES, strict=False):
            services.reply_create(actor=writer, thread_id=thread.pk, body=text)
        self._plan(
            circle,
            organiser,
            members,
            Meeting(
                title="暑中見舞いを書く会",
                place=circle.offering.venue,
                days=20,
                start=time(14, 0),
                minutes=90,
                answers=("yes", "yes", "maybe", "yes"),
            ),
        )
        return circle

    # --- Free-standing circles -------------------------------------------------------------

    def _seed_circle(self, spec: CircleSpec) -> Circle:
        organiser = self.personas[spec.organiser]
        circle = services.circle_create(
            actor=organiser,
            name=spec.name,
            name_kana=spec.name_kana,
            description=spec.description,
            district_id=District.objects.get(slug=spec.district).pk,
            visibility=spec.visibility,
            topics=list(spec.topics),
            for_children=spec.for_children,
        )
        crowd = self._crowd(spec, exclude={organiser.pk})
        members = [self.personas[key] for key in spec.personas] + crowd[: spec.members]
        for resident in members:
            self._bring_in(circle, organiser, resident)
        for resident in crowd[spec.members : spec.members + spec.requests]:
            services.circle_join(actor=resident, circle_id=circle.pk)
        for key in spec.invited:
            services.circle_invite(
                actor=organiser, circle_id=circle.pk, resident_id=self.personas[key].pk
            )
        for meeting in spec.meetings:
            self._plan(circle, organiser, members, meeting)
        adults = [m for m in members if not m.is_child]
        for discussion in spec.discussions:
            author = organiser if discussion.by_organiser or not adults else adults[0]
            thread = services.thread_create(
                actor=author, circle_id=circle.pk, title=discussion.title, body=discussion.body
            )
            writers = [organiser, *adults] if author != organiser else adults
            for index, text in enumerate(discussion.replies):
                writer = writers[(index + 1) % len(writers)] if writers else organiser
                services.reply_create(actor=writer, thread_id=thread.pk, body=text)
        for title, url in spec.links:
            services.resource_add_link(actor=organiser, circle_id=circle.pk, title=title, url=url)
        return circle

    def _crowd(self, spec: CircleSpec, *, exclude: set[int]) -> list[Resident]:
        """Residents of the crowd of the spec's generation, picked the same way every time."""
        crowd = [
            resident
            for resident in Resident.objects.filter(login_name__startswith="demo-", is_active=True)
            .exclude(pk__in=exclude)
            .order_by("login_name")
            if resident.age is not None
        ]
        if spec.crowd == "child":
            pool = [
                r for r in crowd if r.is_child and 7 <= (r.age or 0) <= 12 and self._guardian(r)
            ]
        elif spec.crowd == "senior":
            pool = [r for r in crowd if r.age_band == "senior" and (r.age or 0) <= 80]
        elif spec.crowd == "parent":
            parents = set(GuardianLink.objects.values_list("guardian_id", flat=True))
            pool = [r for r in crowd if r.pk in parents and not r.is_child]
        else:
            pool = [r for r in crowd if not r.is_child and (r.age or 0) < 65]
        # One generator per circle: the picks do not depend on which other circles exist.
        rng = random.Random(f"{SEED}:{spec.name}")  # noqa: S311 -- demo data, not secrets
        return rng.sample(pool, min(spec.members + spec.requests, len(pool)))

    def _guardian(self, child: Resident) -> Resident | None:
        link = GuardianLink.objects.select_related("guardian").filter(child=child).first()
        return link.guardian if link else None

    def _bring_in(self, circle: Circle, organiser: Resident, resident: Resident) -> None:
        """An active member, the way they would come: a child through their guardian; into a
        moderated or invite-only circle by the organiser's invitation."""
        if resident.is_child:
            guardian = self._guardian(resident)
            assert guardian is not None
            services.circle_join(actor=guardian, circle_id=circle.pk, resident_id=resident.pk)
            return
        if circle.visibility != Circle.Visibility.OPEN:
            services.circle_invite(actor=organiser, circle_id=circle.pk, resident_id=resident.pk)
        services.circle_join(actor=resident, circle_id=circle.pk)

    def _plan(
        self, circle: Circle, organiser: Resident, members: list[Resident], meeting: Meeting
    ) -> CircleEvent:
        day = self.today + timedelta(days=meeting.days)
        starts_at = _at(day, meeting.start)
        ends_at = starts_at + timedelta(minutes=meeting.minutes)
        if meeting.days < 0:
            # Held already: written as it stands (the services plan only future meetings).
            return CircleEvent.objects.create(
                circle=circle,
                title=meeting.title,
                description=meeting.description,
                place=meeting.place,
                starts_at=starts_at,
                ends_at=ends_at,
                created_by=organiser,
                created_at=starts_at - timedelta(days=14),
            )
        event = services.event_create(
            actor=organiser,
            circle_id=circle.pk,
            title=meeting.title,
            description=meeting.description,
            place=meeting.place,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        for member, answer in zip(members, meeting.answers, strict=False):
            guardian = self._guardian(member) if member.is_child else None
            services.rsvp_set(
                actor=guardian or member,
                event_id=event.pk,
                answer=answer,
                resident_id=member.pk if guardian else None,
            )
        return event

    # --- Output ----------------------------------------------------------------------------

    def _summarise(
        self, course_circles: int, added: int, made: list[Circle], reunion: Circle | None
    ) -> None:
        if not (course_circles or added or made or reunion):
            self.stdout.write("The demo circles are already there; nothing was changed.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Course circles: {course_circles} made, {added} resident(s) added to their "
                "cohort's circle."
            )
        )
        for circle in made:
            count = circle.memberships.filter(status="active").count()
            self.stdout.write(
                f"  {circle.name} ({circle.get_visibility_display()}; {count} members)"
            )
        if reunion is not None:
            self.stdout.write(f"  {reunion.name}: met again four weeks after the course ended")
        senior = next(p for p in PERSONAS if p.key == "senior")
        self.stdout.write(
            f"Try /circles/ as {senior.name} (card {senior.card_id}, PIN {senior.pin}); "
            "docs/demo.md says more."
        )
