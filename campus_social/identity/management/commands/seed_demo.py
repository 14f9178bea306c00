"""``manage.py seed_demo``: a believable demo town, 青葉市 (Aoba City), for trying Campus Social.

Eight districts, the city office, three schools, four universities, about 300 residents of every
age (children are registered with their guardians) and a handful of personas with memorable
cards and PINs (``PERSONAS``; ``docs/demo.md`` lists them).

Seeding is an operator's bulk action: it writes the rows directly, without
``services.resident_register``, but in the same shape (a ``Card`` under the keyed hash of its
id, a ``GuardianLink`` for each child, ``OrganisationRole`` rows).  It is deterministic (a fixed
random seed; birth dates are counted back from today so that children stay children) and
idempotent: residents are keyed on their login name, places on their slug, and what already
exists is left exactly as it is.  Demo PINs are public, so production mode refuses to seed.
"""

import random
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from campus_social.audit.services import audit_record
from campus_social.identity.cards import card_hash, parse_card_id
from campus_social.identity.models import (
    CHILD_UNTIL_AGE,
    SCHOOL_YEARS,
    SENIOR_FROM_AGE,
    Card,
    District,
    GuardianLink,
    Organisation,
    OrganisationRole,
    Resident,
    SchoolPlacement,
    age_on,
)
from campus_social.identity.selectors import OPERATOR

SEED = 20250401
CROWD_SIZE = 300
CROWD_CHILD_SHARE = 0.15
CROWD_SENIOR_SHARE = 0.20
CROWD_PIN = "1111"  # shared by every crowd resident's demo card
CROWD_LOGIN = "demo-{:04d}"
CROWD_CARD = "DEMO{:04d}"

Role = OrganisationRole.Role
Kind = Organisation.Kind

# (slug, name, reading)
DISTRICTS: list[tuple[str, str, str]] = [
    ("chuo", "中央", "ちゅうおう"),
    ("ekimae", "駅前", "えきまえ"),
    ("honmachi", "本町", "ほんまち"),
    ("kawara", "川原", "かわら"),
    ("sakuradai", "桜台", "さくらだい"),
    ("midorigaoka", "緑が丘", "みどりがおか"),
    ("minatomachi", "港町", "みなとまち"),
    ("higashiyama", "東山", "ひがしやま"),
]

CITY_OFFICE = "city-office"
# (slug, name, reading, kind, district slug)
ORGANISATIONS: list[tuple[str, str, str, str, str]] = [
    (CITY_OFFICE, "青葉市役所", "あおばしやくしょ", Kind.CITY, "chuo"),
    (
        "chuo-elementary",
        "青葉市立中央小学校",
        "あおばしりつちゅうおうしょうがっこう",
        Kind.SCHOOL,
        "chuo",
    ),
    (
        "sakuradai-elementary",
        "青葉市立桜台小学校",
        "あおばしりつさくらだいしょうがっこう",
        Kind.SCHOOL,
        "sakuradai",
    ),
    (
        "higashiyama-junior-high",
        "青葉市立東山中学校",
        "あおばしりつひがしやまちゅうがっこう",
        Kind.SCHOOL,
        "higashiyama",
    ),
    ("aoba-university", "青葉大学", "あおばだいがく", Kind.UNIVERSITY, "midorigaoka"),
    ("aoba-gakuin-university", "青葉学院大学", "あおばがくいんだいがく", Kind.UNIVERSITY, "ekimae"),
    (
        "minato-nursing-university",
        "県立みなと看護大学",
        "けんりつみなとかんごだいがく",
        Kind.UNIVERSITY,
        "minatomachi",
    ),
    (
        "higashiyama-tech",
        "東山工業大学",
        "ひがしやまこうぎょうだいがく",
        Kind.UNIVERSITY,
        "higashiyama",
    ),
]
SCHOOLS = [slug for slug, _n, _k, kind, _d in ORGANISATIONS if kind == Kind.SCHOOL]
UNIVERSITIES = [slug for slug, _n, _k, kind, _d in ORGANISATIONS if kind == Kind.UNIVERSITY]

# fmt: off
# (name, reading)
FAMILY_NAMES = [
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"),
    ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"),
    ("小林", "こばやし"), ("加藤", "かとう"), ("吉田", "よしだ"), ("山田", "やまだ"),
    ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"), ("井上", "いのうえ"),
    ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
    ("山崎", "やまざき"), ("森", "もり"), ("池田", "いけだ"), ("橋本", "はしもと"),
    ("阿部", "あべ"), ("石川", "いしかわ"), ("山下", "やました"), ("中島", "なかじま"),
    ("石井", "いしい"), ("小川", "おがわ"), ("前田", "まえだ"), ("岡田", "おかだ"),
    ("長谷川", "はせがわ"), ("藤田", "ふじた"), ("後藤", "ごとう"), ("近藤", "こんどう"),
    ("村上", "むらかみ"), ("遠藤", "えんどう"), ("青木", "あおき"), ("坂本", "さかもと"),
]

# Given names by generation, (male, female): (name, reading)
GIVEN_NAMES: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {
    "senior": (
        [
            ("茂", "しげる"), ("博", "ひろし"), ("清", "きよし"), ("勇", "いさむ"),
            ("正雄", "まさお"), ("和夫", "かずお"), ("昭", "あきら"), ("進", "すすむ"),
            ("武", "たけし"), ("実", "みのる"), ("勝利", "かつとし"), ("弘", "ひろむ"),
        ],
        [
            ("和子", "かずこ"), ("幸子", "さちこ"), ("節子", "せつこ"), ("洋子", "ようこ"),
            ("恵子", "けいこ"), ("京子", "きょうこ"), ("美智子", "みちこ"), ("久美子", "くみこ"),
            ("順子", "じゅんこ"), ("敏子", "としこ"), ("文子", "ふみこ"), ("静江", "しずえ"),
        ],
    ),
    "adult": (
        [
            ("大輔", "だいすけ"), ("健太", "けんた"), ("翔太", "しょうた"), ("拓也", "たくや"),
            ("直樹", "なおき"), ("誠", "まこと"), ("隆", "たかし"), ("浩二", "こうじ"),
            ("亮", "りょう"), ("達也", "たつや"), ("和也", "かずや"), ("学", "まなぶ"),
        ],
        [
            ("恵美", "えみ"), ("裕子", "ゆうこ"), ("真由美", "まゆみ"), ("美穂", "みほ"),
            ("愛", "あい"), ("彩", "あや"), ("由美", "ゆみ"), ("智子", "ともこ"),
            ("麻衣", "まい"), ("香織", "かおり"), ("直美", "なおみ"), ("陽子", "ようこ"),
        ],
    ),
    "child": (
        [
            ("蓮", "れん"), ("陽翔", "はると"), ("湊", "みなと"), ("悠真", "ゆうま"),
            ("大和", "やまと"), ("蒼", "あおい"), ("颯太", "そうた"), ("樹", "いつき"),
            ("結翔", "ゆいと"), ("悠人", "ゆうと"),
        ],
        [
            ("陽葵", "ひまり"), ("結菜", "ゆいな"), ("凛", "りん"), ("さくら", "さくら"),
            ("葵", "あおい"), ("芽依", "めい"), ("結衣", "ゆい"), ("紬", "つむぎ"),
            ("杏", "あん"), ("心春", "こはる"),
        ],
    ),
}
# fmt: on


@dataclass(frozen=True)
class Persona:
    """A demo resident with a memorable card and PIN, for trying one part of the platform."""

    key: str
    name: str
    name_kana: str
    age: int
    district: str
    card_id: str
    pin: str
    who: str
    try_this: str
    roles: tuple[tuple[str, str], ...] = ()
    guardian: str = ""  # the key of the guardian persona, for a child

    @property
    def login_name(self) -> str:
        return f"persona-{self.key}"


# docs/demo.md lists these; tests/campus_social/test_commands.py checks that it does.
PERSONAS: list[Persona] = [
    Persona(
        key="senior",
        name="高橋 茂",
        name_kana="たかはし しげる",
        age=74,
        district="higashiyama",
        card_id="SENIOR01",
        pin="2468",
        who="Senior learner",
        try_this="Sign in with the card; switch to large text; lock the card with three wrong PINs.",
    ),
    Persona(
        key="lecturer",
        name="中村 美穂",
        name_kana="なかむら みほ",
        age=45,
        district="honmachi",
        card_id="LECTURER01",
        pin="1357",
        who="Lecturer (an adult who will teach)",
        try_this="Sign in; teaching arrives with the courses work.",
    ),
    Persona(
        key="guardian",
        name="佐藤 恵美",
        name_kana="さとう えみ",
        age=39,
        district="sakuradai",
        card_id="GUARDIAN01",
        pin="3579",
        who="Guardian of 陽葵",
        try_this="See your child on my page.",
    ),
    Persona(
        key="child",
        name="佐藤 陽葵",
        name_kana="さとう ひまり",
        age=10,
        district="sakuradai",
        card_id="CHILD001",
        pin="8642",
        who="Child, pupil at 桜台小学校",
        try_this="My page shows her guardian; others will see only her given name.",
        roles=(("sakuradai-elementary", Role.MEMBER),),
        guardian="guardian",
    ),
    Persona(
        key="coordinator",
        name="田中 誠",
        name_kana="たなか まこと",
        age=48,
        district="sakuradai",
        card_id="COORD001",
        pin="4321",
        who="School coordinator, 桜台小学校",
        try_this="My pupils (/schools/); the school's programs (/programs/coordinating/).",
        roles=(("sakuradai-elementary", Role.COORDINATOR),),
    ),
    Persona(
        key="registrar",
        name="伊藤 裕子",
        name_kana="いとう ゆうこ",
        age=52,
        district="midorigaoka",
        card_id="REGISTRAR01",
        pin="5678",
        who="University registrar, 青葉大学",
        try_this="/registrar/: the credit queue, agreements and records of 青葉大学.",
        roles=(("aoba-university", Role.REGISTRAR),),
    ),
    Persona(
        key="staff",
        name="山本 大輔",
        name_kana="やまもと だいすけ",
        age=35,
        district="chuo",
        card_id="CITYSTAFF01",
        pin="9753",
        who="City staff, 青葉市役所",
        try_this="Look residents up, unlock a locked card, register card readers.",
        roles=((CITY_OFFICE, Role.STAFF),),
    ),
]


@dataclass
class ResidentSpec:
    """One resident to seed, in the order they are created (guardians before children)."""

    login_name: str
    name: str
    given_name: str
    name_kana: str
    birth_date: date
    district: str
    card_id: str
    pin: str
    email: str = ""
    roles: list[tuple[str, str]] = field(default_factory=list)
    guardians: list[str] = field(default_factory=list)  # login names

    def is_child_on(self, day: date) -> bool:
        return age_on(self.birth_date, day) < CHILD_UNTIL_AGE


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _birth_date(rng: random.Random, today: date, age: int) -> date:
    """A birth date of someone ``age`` years old today, whose birthday was up to 360 days ago."""
    return _years_before(today, age) - timedelta(days=rng.randint(0, 360))


def persona_specs(today: date) -> list[ResidentSpec]:
    by_key = {persona.key: persona for persona in PERSONAS}
    specs = []
    for index, persona in enumerate(PERSONAS):
        specs.append(
            ResidentSpec(
                login_name=persona.login_name,
                name=persona.name,
                given_name=persona.name.split(" ")[-1],
                name_kana=persona.name_kana,
                # Birthdays a month or two ago: the ages in docs/demo.md hold for most of a year.
                birth_date=_years_before(today, persona.age) - timedelta(days=30 + 7 * index),
                district=persona.district,
                card_id=persona.card_id,
                pin=persona.pin,
                email=f"{persona.login_name}@example.com",
                roles=list(persona.roles),
                guardians=[by_key[persona.guardian].login_name] if persona.guardian else [],
            )
        )
    return specs


@dataclass
class _Person:
    generation: str  # "child" | "adult" | "senior"
    age: int
    family: tuple[str, str]
    district: str
    guardians: list["_Person"] = field(default_factory=list)
    roles: list[tuple[str, str]] = field(default_factory=list)
    given: tuple[str, str] = ("", "")


def _name_household(rng: random.Random, household: list[_Person]) -> None:
    """Given names for a household: a couple are a man and a woman, no two share a name."""
    first_gender = rng.randrange(2)
    used: set[str] = set()
    for index, person in enumerate(household):
        if index == 1 and person.generation == household[0].generation:
            gender = 1 - first_gender  # the partner
        elif index == 0:
            gender = first_gender
        else:
            gender = rng.randrange(2)
        choices = [n for n in GIVEN_NAMES[person.generation][gender] if n[0] not in used]
        person.given = rng.choice(choices)
        used.add(person.given[0])


def crowd_specs(today: date) -> list[ResidentSpec]:
    """The ~300 residents of the town, the same every time for the same day."""
    rng = random.Random(SEED)
    districts = [slug for slug, _name, _kana in DISTRICTS]
    n_children = round(CROWD_SIZE * CROWD_CHILD_SHARE)
    n_seniors = round(CROWD_SIZE * CROWD_SENIOR_SHARE)
    households: list[list[_Person]] = []

    # Families with children: one or two parents, one to three children.
    children_left = n_children
    while children_left:
        family = rng.choice(FAMILY_NAMES)
        district = rng.choice(districts)
        parents = [_Person("adult", rng.randint(32, 50), family, district)]
        if rng.random() < 0.6:
            age = min(max(parents[0].age + rng.randint(-4, 4), 28), 55)
            parents.append(_Person("adult", age, family, district))
        youngest_parent = min(parent.age for parent in parents)
        kids = min(children_left, rng.choices([1, 2, 3], weights=[5, 4, 1])[0])
        children = [
            _Person(
                "child",
                rng.randint(6, min(17, youngest_parent - 22)),
                family,
                district,
                guardians=parents,
            )
            for _ in range(kids)
        ]
        children_left -= kids
        households.append(parents + children)

    # Seniors, alone or as couples.
    seniors_left = n_seniors
    while seniors_left:
        family = rng.choice(FAMILY_NAMES)
        district = rng.choice(districts)
        size = min(seniors_left, 2 if rng.random() < 0.4 else 1)
        ages = [min(SENIOR_FROM_AGE + int(rng.expovariate(1 / 9)), 96) for _ in range(size)]
        households.append([_Person("senior", age, family, district) for age in ages])
        seniors_left -= size

    # The other adults, from students to those near retirement.
    counted = sum(len(household) for household in households)
    for _ in range(CROWD_SIZE - counted):
        households.append(
            [
                _Person(
                    "adult",
                    rng.randint(18, SENIOR_FROM_AGE - 1),
                    rng.choice(FAMILY_NAMES),
                    rng.choice(districts),
                )
            ]
        )
    rng.shuffle(households)
    for household in households:
        _name_household(rng, household)
    people = [person for household in households for person in household]

    # Roles: city staff, school coordinators and teachers, university registrars.
    working = [p for p in people if p.generation == "adult" and 25 <= p.age <= 62]
    chosen = iter(rng.sample(working, 3 + 3 * len(SCHOOLS) + len(UNIVERSITIES)))
    for _ in range(3):
        next(chosen).roles.append((CITY_OFFICE, Role.STAFF))
    for school in SCHOOLS:
        next(chosen).roles.append((school, Role.COORDINATOR))
        next(chosen).roles.append((school, Role.TEACHER))
        next(chosen).roles.append((school, Role.TEACHER))
    for university in UNIVERSITIES:
        next(chosen).roles.append((university, Role.REGISTRAR))
    for person in people:
        school = _school_for(person)
        if school:
            person.roles.append((school, Role.MEMBER))

    login_of: dict[int, str] = {}
    specs = []
    for number, person in enumerate(people, start=1):
        login_of[id(person)] = CROWD_LOGIN.format(number)
        given, given_kana = person.given
        family_name, family_kana = person.family
        specs.append(
            ResidentSpec(
                login_name=login_of[id(person)],
                name=f"{family_name} {given}",
                given_name=given,
                name_kana=f"{family_kana} {given_kana}",
                birth_date=_birth_date(rng, today, person.age),
                district=person.district,
                card_id=CROWD_CARD.format(number),
                pin=CROWD_PIN,
                roles=person.roles,
                guardians=[login_of[id(guardian)] for guardian in person.guardians],
            )
        )
    return specs


def demo_school_year(birth_date: date, today: date) -> int:
    """The school year (1–12) a child born on ``birth_date`` is in on ``today``: Japanese school
    years start on 1 April, and children born from 2 April of one year to 1 April of the next
    start school together the April after they turn six."""
    academic_year = today.year if (today.month, today.day) >= (4, 1) else today.year - 1
    cohort = (
        birth_date.year if (birth_date.month, birth_date.day) >= (4, 2) else birth_date.year - 1
    )
    return academic_year - cohort - 6


def _school_for(person: _Person) -> str:
    if person.generation != "child":
        return ""
    if 12 <= person.age <= 14:
        return "higashiyama-junior-high"
    if person.age <= 11:
        if person.district in {"sakuradai", "midorigaoka", "kawara"}:
            return "sakuradai-elementary"
        return "chuo-elementary"
    return ""  # high-school age: no high school in the demo town


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def persona_table() -> str:
    header = ("name", "who", "card id", "PIN")
    rows = [header] + [(p.name, p.who, p.card_id, p.pin) for p in PERSONAS]
    widths = [max(_display_width(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  " + "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


class Command(BaseCommand):
    help = (
        "Fill the database with the demo town 青葉市: districts, the city office, schools, "
        "universities, about 300 residents and the personas of docs/demo.md (printed at the "
        "end, with their demo card ids and PINs). Safe to run again: what exists is kept "
        "as it is. Refused in production mode."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo is refused in production mode: demo cards have public PINs."
            )
        today = timezone.localdate()
        specs = crowd_specs(today) + persona_specs(today)
        show_progress = not options["no_progress"] and sys.stdout.isatty()
        with transaction.atomic():
            places_created = self._seed_places()
            created = self._seed_residents(specs, today, show_progress=show_progress)
            self._seed_school_placements(today)
            if places_created or created:
                audit_record(
                    actor=OPERATOR,
                    action="demo.seeded",
                    detail={"places": places_created, "residents": created},
                )
        self._summarise(specs, created)

    def _seed_places(self) -> int:
        existing = set(District.objects.values_list("slug", flat=True))
        new_districts = [
            District(slug=slug, name=name, name_kana=kana)
            for slug, name, kana in DISTRICTS
            if slug not in existing
        ]
        District.objects.bulk_create(new_districts)
        district_ids = dict(District.objects.values_list("slug", "id"))
        existing = set(Organisation.objects.values_list("slug", flat=True))
        new_organisations = [
            Organisation(
                slug=slug,
                name=name,
                name_kana=kana,
                kind=kind,
                district_id=district_ids[district],
            )
            for slug, name, kana, kind, district in ORGANISATIONS
            if slug not in existing
        ]
        Organisation.objects.bulk_create(new_organisations)
        return len(new_districts) + len(new_organisations)

    def _seed_residents(
        self, specs: list[ResidentSpec], today: date, *, show_progress: bool
    ) -> int:
        logins = [spec.login_name for spec in specs]
        existing = set(
            Resident.objects.filter(login_name__in=logins).values_list("login_name", flat=True)
        )
        missing = [spec for spec in specs if spec.login_name not in existing]
        if not missing:
            return 0

        hashes = {spec.login_name: card_hash(parse_card_id(spec.card_id)) for spec in missing}
        taken = set(
            Card.objects.filter(card_hash__in=hashes.values()).values_list("card_hash", flat=True)
        )
        clashes = sorted(spec.card_id for spec in missing if hashes[spec.login_name] in taken)
        if clashes:
            raise CommandError(
                "These demo card ids are already registered to other residents: "
                + ", ".join(clashes)
            )

        districts = dict(District.objects.values_list("slug", "id"))
        organisations = dict(Organisation.objects.values_list("slug", "id"))
        guardian_logins = {login for spec in missing for login in spec.guardians}
        residents = dict(
            Resident.objects.filter(login_name__in=guardian_logins).values_list("login_name", "id")
        )
        pin_hashes: dict[str, str] = {}  # PBKDF2 is slow: one hash per distinct PIN, reused
        for spec in tqdm(missing, desc="residents", unit="", disable=not show_progress):
            if spec.pin not in pin_hashes:
                pin_hashes[spec.pin] = make_password(spec.pin)
            resident = Resident.objects.create_user(
                login_name=spec.login_name,
                name=spec.name,
                given_name=spec.given_name,
                name_kana=spec.name_kana,
                birth_date=spec.birth_date,
                district_id=districts[spec.district],
                email=spec.email,
                language="ja",
            )
            residents[spec.login_name] = resident.pk
            Card.objects.create(
                resident=resident,
                card_hash=hashes[spec.login_name],
                pin_hash=pin_hashes[spec.pin],
            )
            OrganisationRole.objects.bulk_create(
                OrganisationRole(resident=resident, organisation_id=organisations[slug], role=role)
                for slug, role in spec.roles
            )
            GuardianLink.objects.bulk_create(
                GuardianLink(guardian_id=residents[login], child=resident)
                for login in spec.guardians
            )
        return len(missing)

    def _seed_school_placements(self, today: date) -> int:
        """Each demo pupil (a child with the member role at a school) gets the school year their
        birth date gives and a class, recorded by the school's coordinator (COORD001 for
        桜台小学校).  Pupils who have one keep it, so this also fills in a town seeded before
        school years were stored."""
        pupils = (
            OrganisationRole.objects.filter(
                role=Role.MEMBER,
                organisation__kind=Kind.SCHOOL,
                resident__school_placement__isnull=True,
            )
            .select_related("resident")
            .order_by("resident_id")
        )
        # The personas are created after the crowd, so the last coordinator of a school is its
        # persona (COORD001 at 桜台小学校) where it has one.
        coordinators = dict(
            OrganisationRole.objects.filter(role=Role.COORDINATOR, organisation__kind=Kind.SCHOOL)
            .order_by("resident_id")
            .values_list("organisation_id", "resident_id")
        )
        placements = []
        for role in pupils:
            child = role.resident
            year = demo_school_year(child.birth_date, today) if child.birth_date else 0
            if year not in SCHOOL_YEARS:
                continue
            placements.append(
                SchoolPlacement(
                    child=child,
                    school_id=role.organisation_id,
                    school_year=year,
                    # Two classes a year, fixed by the login name so every seed agrees.
                    class_name=f"{sum(map(ord, child.login_name)) % 2 + 1}組",
                    recorded_by_id=coordinators.get(role.organisation_id),
                )
            )
        SchoolPlacement.objects.bulk_create(placements)
        return len(placements)

    def _summarise(self, specs: list[ResidentSpec], created: int) -> None:
        today = timezone.localdate()
        children = sum(spec.is_child_on(today) for spec in specs)
        seniors = sum(age_on(spec.birth_date, today) >= SENIOR_FROM_AGE for spec in specs)
        kinds = Counter(kind for _s, _n, _k, kind, _d in ORGANISATIONS)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Seeded {created} demo residents."))
        else:
            self.stdout.write("The demo town is already there; nothing was changed.")
        self.stdout.write(
            f"青葉市: {len(DISTRICTS)} districts; {kinds[Kind.CITY]} city office, "
            f"{kinds[Kind.SCHOOL]} schools, {kinds[Kind.UNIVERSITY]} universities; "
            f"{len(specs)} demo residents ({children} children, each with a guardian; "
            f"{seniors} seniors)."
        )
        self.stdout.write(
            f"Every other demo card (DEMO0001 to DEMO{CROWD_SIZE:04d}) has PIN {CROWD_PIN}."
        )
        self.stdout.write("Personas (see docs/demo.md):")
        self.stdout.write(persona_table())
