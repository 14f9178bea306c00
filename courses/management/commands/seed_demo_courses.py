"""``manage.py seed_demo_courses``: courses for the demo town 青葉市, run after ``seed_demo``.

The lecturer persona (中村 美穂, card ``LECTURER01``) and five residents of the crowd become
approved lecturers, two of them vetted to teach children; ten courses get a published offering
each, in the town's districts, with weekly sessions over the coming weeks.  Between them they
show every state a page can be in: free and paid, one that needs the lecturer's approval (two
applications still waiting), one bearing consortium credit, one full with a waiting list, two
for children, and one that ended last month with attendance, completions and survey answers.
The calligraphy course also has a draft for its next term.

Everything goes through the course services, acting as the people who would do it (the city
staff persona approves and vets lecturers; lecturers create, schedule and publish; residents,
or their guardians, enrol), so the demo obeys the same rules as real use.  Only the ended
offering's enrolments are written directly: the services rightly refuse to enrol anyone in an
offering that is over.

Deterministic (a fixed random seed; dates are counted from today) and idempotent: a course is
keyed on its title, and a course that exists is left exactly as it is.  Refused in production.
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
from campus_social.safeguarding.selectors import resident_is_vetted
from courses import selectors, services
from courses.models import (
    Audience,
    Category,
    Course,
    Enrolment,
    Lecturer,
    Level,
    Offering,
)

SEED = 20250402
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
PERSONA_LOGIN = {persona.key: persona.login_name for persona in PERSONAS}
PERSONA_LECTURER = "persona"


@dataclass(frozen=True)
class LecturerSpec:
    key: str
    generation: str  # "persona", or the crowd generation to pick from: "adult" | "senior"
    skills: str
    profile: str
    teaching_wishes: str
    teaches_children: bool = False  # and so holds a current vetting record


@dataclass(frozen=True)
class CourseSpec:
    title: str
    title_kana: str
    description: str
    category: str
    audience: str
    lecturer: str  # a LecturerSpec key
    district: str  # a district slug of seed_demo
    venue: str
    weekday: int
    start: time
    minutes: int
    sessions: int
    # The first session falls on ``weekday`` on or after today plus this many days.
    starts_in_days: int
    capacity: int
    learners: int  # residents of the crowd who enrol; more than the places makes a waiting list
    level: str = Level.BEGINNER
    fee_yen: int = 0
    requires_approval: bool = False
    bears_credit: bool = False
    # Whole hours of study the course asks (universities count 45 a credit).
    class_hours: int = 0
    self_study_hours: int = 0
    personas: tuple[str, ...] = ()  # persona keys enrolled (a child by their guardian)
    next_term: bool = False  # also a draft copy for the next term

    @property
    def ended(self) -> bool:
        return self.starts_in_days < 0


LECTURERS: list[LecturerSpec] = [
    LecturerSpec(
        key=PERSONA_LECTURER,
        generation="persona",
        skills="書道（師範）、ペン字",
        profile=(
            "本町で書道教室を開いて二十年になります。筆を持つのが初めての方も、お子さんも、"
            "まずは楽しく書くことから始めましょう。"
        ),
        teaching_wishes="大人と子どものための書道入門、手紙のためのペン字",
        teaches_children=True,
    ),
    LecturerSpec(
        key="traveller",
        generation="adult",
        skills="英会話、全国通訳案内士",
        profile=(
            "商社で十二年働き、そのうち五年を海外で過ごしました。旅先で本当に困らない、"
            "使える英語をお伝えします。"
        ),
        teaching_wishes="旅行や観光案内で使える英会話",
    ),
    LecturerSpec(
        key="historian",
        generation="senior",
        skills="郷土史、古文書の読み方",
        profile=(
            "市内の中学校で社会科を三十八年教えました。退職後は青葉の城下町に残る古文書を"
            "読み解いています。"
        ),
        teaching_wishes="青葉の歴史を、歩いて、見て、読んで学ぶ講座",
    ),
    LecturerSpec(
        key="digital",
        generation="adult",
        skills="スマートフォン、パソコン、Scratch",
        profile=(
            "携帯電話の販売店で十年働き、いまは駅前でパソコン教室を開いています。"
            "「わからない」を「できた」に変えるのが好きです。"
        ),
        teaching_wishes="シニアのスマホ入門、子どものプログラミング",
        teaches_children=True,
    ),
    LecturerSpec(
        key="gardener",
        generation="senior",
        skills="太極拳（指導員）、家庭菜園",
        profile="太極拳を始めて二十五年。定年後は中央市民農園で季節の野菜を育てています。",
        teaching_wishes="朝の太極拳、はじめての家庭菜園",
    ),
    LecturerSpec(
        key="cook",
        generation="adult",
        skills="調理師、家庭料理",
        profile=(
            "港町で小さな食堂を営む調理師です。旬の野菜を使った、毎日の食卓でつくれる料理を"
            "お伝えします。"
        ),
        teaching_wishes="季節の野菜でつくる家庭料理",
    ),
]

COURSES: list[CourseSpec] = [
    CourseSpec(
        title="はじめての書道",
        title_kana="はじめてのしょどう",
        description=(
            "筆の持ち方、墨のすり方から始めて、最後の回にはご自分の名前と好きな一文字を半紙に"
            "書き上げます。道具はお貸しします（教材費1,000円）。お申し込みのあと、講師が"
            "ご経験などを確認してから受講が決まります。"
        ),
        category=Category.ARTS,
        audience=Audience.ADULTS,
        lecturer=PERSONA_LECTURER,
        district="honmachi",
        venue="本町公民館 和室",
        weekday=SATURDAY,
        start=time(10, 0),
        minutes=90,
        sessions=5,
        starts_in_days=7,
        capacity=10,
        learners=4,
        fee_yen=1000,
        requires_approval=True,
        next_term=True,
    ),
    CourseSpec(
        title="こども書道教室",
        title_kana="こどもしょどうきょうしつ",
        description=(
            "小学生のための書道教室です。とめ・はね・はらいを覚えて、書き初めにも使える"
            "大きな字に挑戦します。汚れてもよい服装でお越しください。保護者の方がお申し込み"
            "ください。"
        ),
        category=Category.ARTS,
        audience=Audience.CHILDREN,
        lecturer=PERSONA_LECTURER,
        district="sakuradai",
        venue="桜台地区センター 和室",
        weekday=SUNDAY,
        start=time(10, 0),
        minutes=60,
        sessions=4,
        starts_in_days=8,
        capacity=8,
        learners=3,
        personas=("child",),
    ),
    CourseSpec(
        title="ペン字で美しい手紙を",
        title_kana="ぺんじでうつくしいてがみを",
        description=(
            "ボールペンで書く、読みやすく美しい字。季節のあいさつから一筆箋まで、手紙を"
            "書くのが楽しくなる五回です。"
        ),
        category=Category.ARTS,
        audience=Audience.ADULTS,
        lecturer=PERSONA_LECTURER,
        district="honmachi",
        venue="本町公民館 第2会議室",
        weekday=WEDNESDAY,
        start=time(14, 0),
        minutes=90,
        sessions=5,
        starts_in_days=-63,  # ended last month
        capacity=12,
        learners=8,
        fee_yen=500,
        bears_credit=True,
        class_hours=8,
        self_study_hours=37,
        personas=("senior",),
    ),
    CourseSpec(
        title="旅行で使える英会話",
        title_kana="りょこうでつかえるえいかいわ",
        description=(
            "空港、ホテル、レストラン、道案内。旅先でよく出会う場面を、ペアで声に出して"
            "練習します。中学校で習った英語を少し覚えていれば大丈夫です。"
        ),
        category=Category.LANGUAGES,
        audience=Audience.ADULTS,
        lecturer="traveller",
        district="ekimae",
        venue="駅前コミュニティセンター 研修室A",
        weekday=WEDNESDAY,
        start=time(19, 0),
        minutes=90,
        sessions=6,
        starts_in_days=9,
        capacity=15,
        learners=9,
        fee_yen=3000,
    ),
    CourseSpec(
        title="青葉の郷土史 ―城下町から港町へ",
        title_kana="あおばのきょうどし じょうかまちからみなとまちへ",
        description=(
            "城下町として始まった青葉が、港とともにどう育ってきたのか。古地図や古文書を"
            "読みながらたどります。最終回は本町の旧街道を歩きます。青葉大学の単位互換の"
            "対象講座です（八割以上の出席で修了）。"
        ),
        category=Category.HISTORY,
        audience=Audience.ADULTS,
        lecturer="historian",
        district="midorigaoka",
        venue="青葉大学 緑が丘キャンパス 3号館301教室",
        weekday=THURSDAY,
        start=time(14, 0),
        minutes=90,
        sessions=6,
        starts_in_days=10,
        capacity=30,
        learners=12,
        level=Level.INTERMEDIATE,
        bears_credit=True,
        class_hours=9,
        self_study_hours=36,
    ),
    CourseSpec(
        title="シニアのためのスマホ教室",
        title_kana="しにあのためのすまほきょうしつ",
        description=(
            "電話のかけ方、写真の撮り方と送り方、地図アプリ、そして詐欺メールの見分け方。"
            "少人数で、一人ひとりのスマートフォンを見ながら進めます。ご自分のスマートフォンを"
            "お持ちください。"
        ),
        category=Category.COMPUTING,
        audience=Audience.SENIORS,
        lecturer="digital",
        district="higashiyama",
        venue="東山地区センター 会議室",
        weekday=TUESDAY,
        start=time(10, 0),
        minutes=90,
        sessions=4,
        starts_in_days=5,
        capacity=6,
        learners=9,  # full, three on the waiting list
    ),
    CourseSpec(
        title="朝の太極拳",
        title_kana="あさのたいきょくけん",
        description=(
            "川べりの朝の空気の中で、ゆっくりとした動きで体をほぐします。運動が苦手な方も"
            "ご自分のペースで参加できます。雨の日は川原公民館のホールで行います。"
        ),
        category=Category.HEALTH,
        audience=Audience.ADULTS,
        lecturer="gardener",
        district="kawara",
        venue="川原河川敷公園 芝生広場",
        weekday=SATURDAY,
        start=time(7, 0),
        minutes=60,
        sessions=6,
        starts_in_days=6,
        capacity=20,
        learners=8,
    ),
    CourseSpec(
        title="季節の野菜でつくる家庭料理",
        title_kana="きせつのやさいでつくるかていりょうり",
        description=(
            "港町公民館の調理実習室で開く、少人数の料理教室です。"
            "その時期にいちばんおいしい野菜で、主菜・副菜・汁物の三品をつくります。"
            "つくったあとはみんなで試食します。材料費1,500円。エプロンと三角巾をお持ち"
            "ください。"
        ),
        category=Category.COOKING,
        audience=Audience.ADULTS,
        lecturer="cook",
        district="minatomachi",
        venue="港町公民館 調理実習室",
        weekday=FRIDAY,
        start=time(10, 0),
        minutes=150,
        sessions=3,
        starts_in_days=11,
        capacity=12,
        learners=7,
        fee_yen=1500,
    ),
    CourseSpec(
        title="はじめての家庭菜園",
        title_kana="はじめてのかていさいえん",
        description=(
            "土づくり、種まき、水やり、収穫まで。市民農園の区画で実際に育てながら、"
            "ベランダのプランターでも育てられる野菜の選び方をお話しします。"
        ),
        category=Category.NATURE,
        audience=Audience.ADULTS,
        lecturer="gardener",
        district="chuo",
        venue="中央市民農園 研修小屋",
        weekday=SUNDAY,
        start=time(9, 0),
        minutes=120,
        sessions=4,
        starts_in_days=13,
        capacity=15,
        learners=6,
    ),
    CourseSpec(
        title="Scratchでつくろう！子どもプログラミング",
        title_kana="すくらっちでつくろう こどもぷろぐらみんぐ",
        description=(
            "ブロックを組み合わせてゲームやアニメーションをつくります。パソコンは図書館の"
            "ものを使います。小学三年生から中学生まで。保護者の方がお申し込みください。"
        ),
        category=Category.COMPUTING,
        audience=Audience.CHILDREN,
        lecturer="digital",
        district="chuo",
        venue="中央図書館 多目的室",
        weekday=SATURDAY,
        start=time(14, 0),
        minutes=90,
        sessions=4,
        starts_in_days=12,
        capacity=10,
        learners=5,
    ),
]

# The ended offering: how many of its sessions each resident of the crowd came to (the
# personas came to all), and what the first of them answered in the survey.
ENDED_ATTENDANCE = (5, 4, 5, 3, 4, 5, 2, 4)
ENDED_SURVEY: list[tuple[int, str]] = [
    (5, "一回ごとのお手本がわかりやすく、字を書くのが楽しくなりました。"),
    (4, "季節のあいさつの書き方がとても役に立ちました。"),
    (5, ""),
    (4, "もう少し回数があるとうれしいです。"),
    (5, "次の講座にもぜひ参加したいです。"),
]
NEXT_TERM_WEEKS = 10


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _term(day: date) -> str:
    season = {12: "冬", 1: "冬", 2: "冬", 3: "春", 4: "春", 5: "春", 6: "夏", 7: "夏", 8: "夏"}
    return f"{day.year}年{season.get(day.month, '秋')}"


class Command(BaseCommand):
    help = (
        "Add demo courses to the demo town (run seed_demo first): the lecturer persona and a "
        "few residents become lecturers, and ten courses get published offerings with "
        "sessions in the coming weeks, enrolments and a waiting list, plus one that ended "
        "last month with attendance, completions and survey answers. Safe to run again: "
        "courses that exist are kept as they are. Refused in production mode."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo_courses is refused in production mode.")
        people = dict(
            Resident.objects.filter(login_name__in=PERSONA_LOGIN.values()).values_list(
                "login_name", "id"
            )
        )
        if len(people) < len(PERSONA_LOGIN) or not District.objects.exists():
            raise CommandError("The demo town is missing: run `manage.py seed_demo` first.")
        self.today = timezone.localdate()
        self.staff = Resident.objects.get(login_name=PERSONA_LOGIN["staff"])
        self.rng = random.Random(SEED)
        existing = set(Course.objects.values_list("title", flat=True))
        missing = [spec for spec in COURSES if spec.title not in existing]
        show_progress = not options["no_progress"] and self.stdout.isatty()

        # The demo's addresses are made up (example.com): the console mail backend would print
        # every enrolment email into this command's output.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            lecturers = {PERSONA_LECTURER: self._persona_lecturer()}
            if missing:
                lecturers |= self._crowd_lecturers()
            self.lecturer_ids = {lecturer.resident_id for lecturer in lecturers.values()}
            offerings = [
                self._seed_course(spec, lecturers[spec.lecturer])
                for spec in tqdm(missing, desc="courses", unit="", disable=not show_progress)
            ]
            if offerings:
                audit_record(
                    actor=OPERATOR,
                    action="demo.courses_seeded",
                    detail={"courses": len(offerings)},
                )
        self._summarise(offerings)

    # --- Lecturers ------------------------------------------------------------------------

    def _persona_lecturer(self) -> Lecturer:
        resident = Resident.objects.get(login_name=PERSONA_LOGIN["lecturer"])
        return self._ensure_lecturer(resident, LECTURERS[0])

    def _crowd_lecturers(self) -> dict[str, Lecturer]:
        """Residents of the crowd, picked the same way every time, made lecturers."""
        crowd = [
            resident
            for resident in Resident.objects.filter(
                login_name__startswith="demo-", is_active=True, roles__isnull=True
            ).order_by("login_name")
            if resident.age is not None
        ]
        pools = {
            "adult": [r for r in crowd if 30 <= (r.age or 0) <= 60],
            "senior": [r for r in crowd if 66 <= (r.age or 0) <= 78],
        }
        chosen: dict[str, Lecturer] = {}
        for spec in LECTURERS[1:]:
            pool = pools[spec.generation]
            resident = pool.pop(self.rng.randrange(len(pool)))
            chosen[spec.key] = self._ensure_lecturer(resident, spec)
        return chosen

    def _ensure_lecturer(self, resident: Resident, spec: LecturerSpec) -> Lecturer:
        """The resident as an approved lecturer (applying and approving as needed), vetted
        when they teach children.  Changes nothing for one who already is."""
        lecturer = selectors.lecturer_of(resident)
        if lecturer is None or lecturer.status == Lecturer.Status.DECLINED:
            lecturer = services.lecturer_apply(
                resident=resident,
                display_name=resident.name,
                name_kana=resident.name_kana,
                profile=spec.profile,
                skills=spec.skills,
                teaching_wishes=spec.teaching_wishes,
                wants_to_teach_children=spec.teaches_children,
            )
        if lecturer.status == Lecturer.Status.PENDING:
            lecturer = services.lecturer_decide(
                actor=self.staff, lecturer_id=lecturer.pk, approve=True
            )
        if spec.teaches_children and not resident_is_vetted(lecturer.resident, on=self.today):
            services.vetting_record_add(
                actor=self.staff,
                lecturer_id=lecturer.pk,
                checked_on=self.today - timedelta(days=45),
                expires_on=self.today + timedelta(days=3 * 365),
                note="子ども向け講座の研修を受講済み",
            )
        return lecturer

    # --- Courses --------------------------------------------------------------------------

    def _seed_course(self, spec: CourseSpec, lecturer: Lecturer) -> Offering:
        teacher = lecturer.resident
        rng = random.Random(f"{SEED}:{spec.title}")
        first = _on_or_after(self.today + timedelta(days=spec.starts_in_days), spec.weekday)
        days = [first + timedelta(weeks=week) for week in range(spec.sessions)]
        course = services.course_create(
            actor=teacher,
            title=spec.title,
            title_kana=spec.title_kana,
            description=spec.description,
            category=spec.category,
            level=spec.level,
            audience=spec.audience,
            class_hours=spec.class_hours,
            self_study_hours=spec.self_study_hours,
        )
        offering = services.offering_create(
            actor=teacher,
            course_id=course.pk,
            term=_term(first),
            venue=spec.venue,
            district=spec.district,
            capacity=spec.capacity,
            fee_yen=spec.fee_yen,
            enrolment_opens_at=_at(first - timedelta(weeks=4), time(9, 0)),
            enrolment_closes_at=_at(first - timedelta(days=1), time(17, 0)),
            requires_approval=spec.requires_approval,
            bears_credit=spec.bears_credit,
        )
        for day in days:
            starts_at = _at(day, spec.start)
            services.session_add(
                actor=teacher,
                offering_id=offering.pk,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=spec.minutes),
            )
        services.offering_publish(actor=teacher, offering_id=offering.pk)
        personas = [Resident.objects.get(login_name=PERSONA_LOGIN[key]) for key in spec.personas]
        crowd = self._learners(spec, rng)
        if spec.ended:
            self._seed_ended(offering, teacher, personas, crowd, rng)
        else:
            for learner in personas + crowd:
                self._enrol(offering, learner)
            if spec.requires_approval:
                for enrolment in list(offering.enrolments.order_by("queued_at", "id"))[:2]:
                    services.enrolment_decide(
                        actor=teacher, enrolment_id=enrolment.pk, approve=True
                    )
        if spec.next_term:
            services.offering_copy(
                actor=teacher,
                offering_id=offering.pk,
                shift_days=7 * NEXT_TERM_WEEKS,
                term=_term(first + timedelta(weeks=NEXT_TERM_WEEKS)),
            )
        return Offering.objects.select_related("course", "district").get(pk=offering.pk)

    def _learners(self, spec: CourseSpec, rng: random.Random) -> list[Resident]:
        """Residents of the crowd of the course's audience who do not teach."""
        crowd = list(
            Resident.objects.filter(login_name__startswith="demo-", is_active=True)
            .exclude(pk__in=self.lecturer_ids)
            .order_by("login_name")
        )
        if spec.audience == Audience.CHILDREN:
            pool = [r for r in crowd if r.is_child and 8 <= (r.age or 0) <= 12]
        elif spec.audience == Audience.SENIORS:
            pool = [r for r in crowd if r.age_band == "senior"]
        else:
            pool = [r for r in crowd if not r.is_child]
        return rng.sample(pool, min(spec.learners, len(pool)))

    def _enrol(self, offering: Offering, learner: Resident) -> None:
        guardian = self._guardian(learner)
        services.enrolment_create(
            actor=guardian or learner,
            offering_id=offering.pk,
            resident_id=learner.pk if guardian else None,
        )

    def _guardian(self, learner: Resident) -> Resident | None:
        if not learner.is_child:
            return None
        link = GuardianLink.objects.select_related("guardian").filter(child=learner).first()
        return link.guardian if link else None

    def _seed_ended(
        self,
        offering: Offering,
        teacher: Resident,
        personas: list[Resident],
        crowd: list[Resident],
        rng: random.Random,
    ) -> None:
        """Enrolments as they stood, attendance, completions and survey answers."""
        offering.refresh_from_db()
        sessions = list(offering.sessions.order_by("starts_at"))
        enrolled_at = offering.enrolment_opens_at + timedelta(days=2)
        learners = personas + crowd
        Enrolment.objects.bulk_create(
            Enrolment(
                offering=offering,
                resident=learner,
                status=Enrolment.Status.ENROLLED,
                enrolled_by=self._guardian(learner),
                created_at=enrolled_at + timedelta(minutes=7 * index),
                queued_at=enrolled_at + timedelta(minutes=7 * index),
                status_changed_at=enrolled_at + timedelta(minutes=7 * index),
            )
            for index, learner in enumerate(learners)
        )
        counts = [len(sessions)] * len(personas) + [
            ENDED_ATTENDANCE[index % len(ENDED_ATTENDANCE)] for index in range(len(crowd))
        ]
        for learner, count in zip(learners, counts, strict=True):
            for session in rng.sample(sessions, min(count, len(sessions))):
                services.attendance_set(
                    actor=teacher, session_id=session.pk, resident_id=learner.pk, present=True
                )
        # The lecturer grades each learner who completed: all sessions "A", fewer "B".
        for completion in services.offering_record_completions(offering_id=offering.pk):
            services.completion_grade_set(
                actor=teacher,
                completion_id=completion.pk,
                grade="A" if completion.sessions_attended == completion.sessions_held else "B",
            )
        for learner, (rating, comment) in zip(crowd, ENDED_SURVEY, strict=False):
            services.survey_answer(
                resident=learner, offering_id=offering.pk, rating=rating, comment=comment
            )

    # --- Output ---------------------------------------------------------------------------

    def _summarise(self, offerings: list[Offering]) -> None:
        if not offerings:
            self.stdout.write("The demo courses are already there; nothing was changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"Seeded {len(offerings)} demo courses:"))
        for offering in offerings:
            self.stdout.write(f"  {self._describe(offering)}")
        lecturer = next(p for p in PERSONAS if p.key == "lecturer")
        senior = next(p for p in PERSONAS if p.key == "senior")
        self.stdout.write(
            f"Try /teach/ as {lecturer.name} (card {lecturer.card_id}, PIN {lecturer.pin}) and "
            f"/me/courses/ as {senior.name} (card {senior.card_id}, PIN {senior.pin}); "
            "docs/demo.md says more."
        )

    def _describe(self, offering: Offering) -> str:
        statuses = list(offering.enrolments.values_list("status", flat=True))
        notes = [f"{statuses.count(Enrolment.Status.ENROLLED)}/{offering.capacity} enrolled"]
        if waiting := statuses.count(Enrolment.Status.WAITLISTED):
            notes.append(f"{waiting} on the waiting list")
        if pending := statuses.count(Enrolment.Status.PENDING):
            notes.append(f"{pending} waiting for the lecturer's approval")
        notes.append(f"¥{offering.fee_yen:,}" if offering.fee_yen else "free")
        if offering.bears_credit:
            notes.append("bears credit")
        if offering.completions_recorded_at:
            notes.append(f"ended, {offering.completions.count()} completed")
        first = timezone.localtime(offering.first_session_at) if offering.first_session_at else None
        when = f"{first:%Y-%m-%d %H:%M}" if first else "no sessions"
        lecturers = "・".join(lecturer.display_name for lecturer in offering.lecturers.all())
        return (
            f"{offering.course.title} ({lecturers}; {offering.district.name}, {when}): "
            + ", ".join(notes)
        )
