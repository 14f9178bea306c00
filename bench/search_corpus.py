"""The search bench's documents: offerings and circles of a made-up town, deterministic.

``documents(n)`` describes ``n`` findable things (70 % offerings, 30 % circles) the way the
apps describe theirs to the index (``SearchDocument``): a title from a vocabulary of real course
and circle words — kanji words, katakana loanwords, English titles, now and then full-width
Latin (``ＳＣＲＡＴＣＨ``) or half-width katakana (``ｽﾏﾎ``) as older systems and phone keyboards
type them — with the kana reading a lecturer would enter (the words' readings from
``reading_of``, or written out here where the dictionary reads a name otherwise), keywords
(lecturer, category, district, topics) and a description of several sentences in Japanese,
English or both.  About one circle in twelve is invite-only (its access key is not public).

The same ``n`` and seed always give the same documents, so the oracle (``search_oracle``) and
each database's run see exactly the same data without passing it around.
"""

import functools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from campus_social.search.documents import PUBLIC, SearchDocument
from campus_social.search.normalize import reading_of

SEED = 20261208
OFFERING_SHARE = 0.7


@dataclass(frozen=True)
class Subject:
    """A thing taught or shared: its Japanese word, an English name, the category it is in, and
    how often it comes up (rare subjects keep rare characters rare)."""

    japanese: str
    english: str
    category: str
    weight: int = 10


SUBJECTS = [
    Subject("書道", "Calligraphy", "arts", 14),
    Subject("水彩画", "Watercolour", "arts"),
    Subject("絵手紙", "Picture Letters", "arts", 6),
    Subject("油絵", "Oil Painting", "arts", 5),
    Subject("写真", "Photography", "arts", 10),
    Subject("切り絵", "Paper Cutting", "arts", 3),
    Subject("篆刻", "Seal Carving", "arts", 1),
    Subject("俳句", "Haiku", "history", 7),
    Subject("短歌", "Tanka Poetry", "history", 3),
    Subject("茶道", "Tea Ceremony", "arts", 5),
    Subject("生け花", "Flower Arranging", "arts", 5),
    Subject("囲碁", "Go", "other", 4),
    Subject("将棋", "Shogi", "other", 5),
    Subject("英会話", "English Conversation", "languages", 14),
    Subject("英語", "English", "languages", 8),
    Subject("中国語", "Chinese", "languages", 5),
    Subject("韓国語", "Korean", "languages", 5),
    Subject("手話", "Sign Language", "languages", 4),
    Subject("料理", "Cooking", "cooking", 14),
    Subject("和菓子", "Japanese Sweets", "cooking", 4),
    Subject("パン作り", "Bread Baking", "cooking", 5),
    Subject("蕎麦打ち", "Soba Making", "cooking", 2),
    Subject("家庭菜園", "Kitchen Gardening", "nature", 6),
    Subject("園芸", "Gardening", "nature", 6),
    Subject("野鳥観察", "Birdwatching", "nature", 3),
    Subject("山歩き", "Hill Walking", "nature", 4),
    Subject("散歩", "Walking", "health", 6),
    Subject("太極拳", "Tai Chi", "health", 6),
    Subject("ヨガ", "Yoga", "health", 10),
    Subject("健康体操", "Keep-fit Exercises", "health", 7),
    Subject("社交ダンス", "Ballroom Dancing", "health", 4),
    Subject("ウォーキング", "Walking Club", "health", 5),
    Subject("卓球", "Table Tennis", "health", 4),
    Subject("合唱", "Choir", "music", 6),
    Subject("ピアノ", "Piano", "music", 7),
    Subject("ギター", "Guitar", "music", 5),
    Subject("ウクレレ", "Ukulele", "music", 4),
    Subject("大正琴", "Taishogoto", "music", 2),
    Subject("三味線", "Shamisen", "music", 2),
    Subject("和太鼓", "Taiko Drumming", "music", 3),
    Subject("パソコン", "Computers", "computing", 10),
    Subject("スマートフォン", "Smartphone", "computing", 9),
    Subject("スマホ", "Smartphone Help", "computing", 8),
    Subject("プログラミング", "Programming", "computing", 6),
    Subject("タブレット", "Tablet", "computing", 3),
    Subject("郷土史", "Local History", "history", 5),
    Subject("古文書", "Old Documents", "history", 2),
    Subject("歴史散策", "History Walks", "history", 4),
    Subject("編み物", "Knitting", "crafts", 6),
    Subject("手芸", "Handicrafts", "crafts", 6),
    Subject("陶芸", "Pottery", "crafts", 5),
    Subject("折り紙", "Origami", "crafts", 5),
    Subject("木工", "Woodworking", "crafts", 3),
    Subject("藍染め", "Indigo Dyeing", "crafts", 1),
    Subject("盆栽", "Bonsai", "nature", 2),
    Subject("読み聞かせ", "Storytelling", "other", 3),
]
SUBJECT_WEIGHTS = [subject.weight for subject in SUBJECTS]

# (name, reading, English name) — the town's districts (seed_demo's) and two more.
DISTRICTS = [
    ("中央", "ちゅうおう", "Chuo"),
    ("駅前", "えきまえ", "Ekimae"),
    ("本町", "ほんまち", "Honmachi"),
    ("川原", "かわら", "Kawara"),
    ("桜台", "さくらだい", "Sakuradai"),
    ("緑が丘", "みどりがおか", "Midorigaoka"),
    ("港町", "みなとまち", "Minatomachi"),
    ("東山", "ひがしやま", "Higashiyama"),
    ("鶴見", "つるみ", "Tsurumi"),
    ("西原", "にしはら", "Nishihara"),
]
VENUES = ["公民館", "市民センター", "図書館", "集会所", "生涯学習センター", "コミュニティホール"]
CATEGORY_JA = {
    "languages": "語学",
    "arts": "芸術・書道",
    "music": "音楽",
    "cooking": "料理",
    "health": "健康・運動",
    "computing": "パソコン・スマホ",
    "history": "歴史・郷土",
    "nature": "自然・園芸",
    "crafts": "手芸・工芸",
    "other": "その他",
}
AUDIENCES = ["adults", "seniors", "children", "all"]
FAMILY_NAMES = [
    "中村", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "小林", "加藤",
    "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水",
]  # fmt: skip
GIVEN_NAMES = [
    "美穂", "健一", "由美子", "誠", "恵子", "浩", "陽子", "翔太", "花子", "大輔", "和子", "勇",
]  # fmt: skip
ENGLISH_NAMES = ["Emily Carter", "John Smith", "Maria Garcia", "David Brown", "Sarah Lee"]

# Offering titles: something before, the subject, something after.
JA_PREFIXES = [
    ("", 30), ("はじめての", 8), ("やさしい", 6), ("こども", 6), ("親子で楽しむ", 3),
    ("シニアの", 4), ("初心者のための", 5), ("週末の", 3), ("夜の", 2), ("{district}の", 6),
    ("楽しい", 4), ("ゆったり", 2),
]  # fmt: skip
JA_SUFFIXES = [
    ("教室", 25), ("講座", 18), ("入門", 8), ("サロン", 4), ("ワークショップ", 4), ("", 10),
    ("基礎", 4), ("を楽しむ会", 3), ("の時間", 3), ("体験会", 3), ("相談会", 2),
]  # fmt: skip
EN_PATTERNS = [
    "{subject} for Beginners", "{subject} Class", "Gentle {subject}", "{subject} Workshop",
    "Introduction to {subject}", "{subject} Café", "Family {subject}", "{subject} Basics",
]  # fmt: skip
# Titles as they arrive from other systems or phone keyboards: full-width Latin, half-width kana.
ODD_TITLES = [
    ("ＳＣＲＡＴＣＨでゲームづくり", "すくらっちでげーむづくり", "computing"),
    ("Scratchでプログラミング", "すくらっちでぷろぐらみんぐ", "computing"),
    ("ｽﾏﾎ相談会", "すまほそうだんかい", "computing"),
    ("ｽﾏﾎ入門", "すまほにゅうもん", "computing"),
    ("Ｅｘｃｅｌ入門", "えくせるにゅうもん", "computing"),
    ("ＰＣ講座", "ぴーしーこうざ", "computing"),
    ("AI入門：生成AIを使ってみよう", "えーあいにゅうもん", "computing"),
    ("ｷﾞﾀｰ教室", "ぎたーきょうしつ", "music"),
]
# Circles: a name pattern and its reading pattern.
CIRCLE_PATTERNS = [
    ("{district}{subject}の会", "{district_r}{subject_r}のかい", 5),
    ("{subject}サークル", "{subject_r}さーくる", 5),
    ("{subject}同好会", "{subject_r}どうこうかい", 4),
    ("{district}{subject}クラブ", "{district_r}{subject_r}くらぶ", 3),
    ("{english} Club", "", 2),
    ("{subject}を楽しむ会", "{subject_r}をたのしむかい", 2),
]
# Circles named in kana: a kanji query finds them through its reading (散歩 → さんぽ).
KANA_CIRCLES = [
    ("さんぽの会", "health"), ("うたごえ広場", "music"), ("おりがみの会", "crafts"),
    ("よみきかせの会", "other"), ("はいくの会", "history"), ("いごを楽しむ会", "other"),
    ("しょどう仲間", "arts"), ("りょうりの会", "cooking"),
]  # fmt: skip

JA_SENTENCES = [
    "{district}の{venue}で、{subject}の基礎から丁寧に学びます。",
    "初めての方も経験者も歓迎します。",
    "講師は{lecturer}さんです。",
    "毎週{weekday}曜日の{hour}時から{minutes}分間です。",
    "持ち物は筆記用具と飲み物です。",
    "少人数制で、一人ひとりのペースに合わせて進めます。",
    "{subject2}にも興味のある方におすすめです。",
    "見学・体験は随時受け付けています。",
    "お問い合わせはメール（Email）でどうぞ。",
    "参加費は1回{fee}円です。",
    "参加費は無料です。",
    "生涯学習の一環として、市と地域の皆さんで運営しています。",
    "スマートフォンをお持ちの方はご持参ください。",
    "会場には駐車場がありませんので、公共交通機関をご利用ください。",
    "季節ごとに発表会を開いています。",
    "お子さまと一緒の参加もできます。",
    "動きやすい服装でお越しください。",
    "教材は会場で配ります。",
    "{district}駅から歩いて{minutes2}分です。",
    "前回の様子は写真でご覧いただけます。",
]
EN_SENTENCES = [
    "Learn {english} step by step in a friendly group.",
    "No experience needed; beginners are welcome.",
    "Please email the organiser before your first visit.",
    "Sessions are held at the {district_en} community centre.",
    "Bring comfortable shoes and a water bottle.",
    "All materials are provided.",
    "We meet every {weekday_en} afternoon.",
    "Families and children are welcome to join.",
    "Cooking ingredients are shared among the group.",
    "Our lecturer has taught {english} for many years.",
    "Tea and snacks after each session.",
    "Free of charge for residents.",
]
WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
BASE_DATE = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


@functools.cache
def reading(word: str) -> str:
    """A vocabulary word's kana reading, as a lecturer would type it."""
    for name, kana, _english in DISTRICTS:
        if word == name:
            return kana
    return reading_of(word) if word else ""


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


class _Writer:
    """Makes one document after another from one random stream (the order matters)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible

    def subject(self) -> Subject:
        return self.rng.choices(SUBJECTS, weights=SUBJECT_WEIGHTS)[0]

    def lecturer(self) -> str:
        if self.rng.random() < 0.08:
            return self.rng.choice(ENGLISH_NAMES)
        return f"{self.rng.choice(FAMILY_NAMES)} {self.rng.choice(GIVEN_NAMES)}"

    def body(
        self, subject: Subject, district: tuple[str, str, str], lecturer: str, *, english: bool
    ) -> str:
        rng = self.rng
        values = {
            "district": district[0],
            "district_en": district[2],
            "venue": rng.choice(VENUES),
            "subject": subject.japanese,
            "subject2": self.subject().japanese,
            "english": subject.english.lower(),
            "lecturer": lecturer,
            "weekday": rng.choice(WEEKDAYS_JA),
            "weekday_en": rng.choice(WEEKDAYS_EN),
            "hour": str(rng.randint(9, 19)),
            "minutes": str(rng.choice([60, 90, 120])),
            "minutes2": str(rng.randint(3, 15)),
            "fee": str(rng.choice([300, 500, 800, 1000])),
        }
        if english:
            sentences = rng.sample(EN_SENTENCES, rng.randint(3, 5))
            if rng.random() < 0.4:
                sentences.append(rng.choice(JA_SENTENCES))
        else:
            sentences = rng.sample(JA_SENTENCES, rng.randint(3, 6))
            if rng.random() < 0.2:
                sentences.append(rng.choice(EN_SENTENCES))
        separator = " " if english else ""
        return separator.join(sentence.format(**values) for sentence in sentences)

    def offering(self, object_id: int) -> SearchDocument:
        rng = self.rng
        subject = self.subject()
        district = rng.choice(DISTRICTS)
        lecturer = self.lecturer()
        category = subject.category
        english = False
        draw = rng.random()
        if draw < 0.03:
            title, title_reading, category = rng.choice(ODD_TITLES)
        elif draw < 0.18:
            english = True
            title = rng.choice(EN_PATTERNS).format(subject=subject.english)
            title_reading = ""
        else:
            prefix = _weighted(rng, JA_PREFIXES)
            suffix = _weighted(rng, JA_SUFFIXES)
            prefix_word = prefix.format(district=district[0])
            title = f"{prefix_word}{subject.japanese}{suffix}"
            title_reading = "".join(
                reading(part)
                for part in (prefix_word, subject.japanese, suffix)
                if part  # an empty part reads as nothing
            )
        weekdays = tuple(sorted({str(rng.randint(0, 6)) for _ in range(rng.choice([1, 1, 2]))}))
        free = rng.random() < 0.3
        keywords = " ".join(
            [lecturer, CATEGORY_JA[category], district[0], subject.japanese]
            + ([subject.english] if rng.random() < 0.3 else [])
        )
        return SearchDocument(
            kind="offering",
            object_id=object_id,
            title=title,
            url=f"/offerings/{object_id}/",
            reading=title_reading,
            keywords=keywords,
            body=self.body(subject, district, lecturer, english=english),
            facets={
                "category": (category,),
                "district": (district[2].lower(),),
                "audience": (rng.choice(AUDIENCES),),
                "weekday": weekdays,
                "free": ("yes",) if free else ("no",),
                "credit": ("yes",) if rng.random() < 0.1 else ("no",),
            },
            rank_date=BASE_DATE + timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 9)),
        )

    def circle(self, object_id: int) -> SearchDocument:
        rng = self.rng
        subject = self.subject()
        district = rng.choice(DISTRICTS)
        category = subject.category
        english = False
        if rng.random() < 0.06:
            title, category = rng.choice(KANA_CIRCLES)
            if rng.random() < 0.5:
                title = district[0] + title
            title_reading = reading(title)
        else:
            name, name_reading = _weighted_pattern(rng)
            english = name.startswith("{english}")
            title = name.format(
                district=district[0], subject=subject.japanese, english=subject.english
            )
            title_reading = name_reading.format(
                district_r=district[1], subject_r=reading(subject.japanese)
            )
        organiser = self.lecturer()
        keywords = " ".join([CATEGORY_JA[category], district[0], subject.japanese, organiser])
        invite_only = rng.random() < 0.08
        return SearchDocument(
            kind="circle",
            object_id=object_id,
            title=title,
            url=f"/circles/{object_id}/",
            reading=title_reading,
            keywords=keywords,
            body=self.body(subject, district, organiser, english=english),
            facets={"category": (category,), "district": (district[2].lower(),)},
            access=(f"circle:{object_id}",) if invite_only else (PUBLIC,),
        )


def _weighted_pattern(rng: random.Random) -> tuple[str, str]:
    name, name_reading, _ = rng.choices(CIRCLE_PATTERNS, weights=[p[2] for p in CIRCLE_PATTERNS])[0]
    return name, name_reading


def documents(count: int, seed: int = SEED) -> Iterator[SearchDocument]:
    """``count`` documents, offerings first; the same arguments give the same documents."""
    writer = _Writer(seed)
    offerings = round(count * OFFERING_SHARE)
    for object_id in range(1, offerings + 1):
        yield writer.offering(object_id)
    for object_id in range(1, count - offerings + 1):
        yield writer.circle(object_id)
