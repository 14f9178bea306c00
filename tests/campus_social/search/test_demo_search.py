"""The demo town, seeded as ``make run`` seeds it and indexed by ``search_reindex``, finds what a
resident of issue #13 types: kana for kanji, katakana, full and half width, two words, words of
a description, English, and a kanji word for a circle named in kana."""

from io import StringIO

import pytest
from django.core.management import call_command

from campus_social.identity.models import Resident
from campus_social.search import services

pytestmark = pytest.mark.django_db

COOKING = "季節の野菜でつくる家庭料理"
CALLIGRAPHY = "はじめての書道"
CHILDREN_CALLIGRAPHY = "こども書道教室"
SCRATCH = "Scratchでつくろう！子どもプログラミング"
PHONES = "シニアのためのスマホ教室"
WALKS = "東山さんぽの会"


@pytest.fixture(scope="module")
def seeded(module_db, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        for command in (
            "seed_demo",
            "seed_demo_courses",
            "seed_demo_circles",
            "seed_demo_programs",
        ):
            call_command(command, "--no-progress", stdout=StringIO())
        out = StringIO()
        call_command("search_reindex", "--no-progress", stdout=out)
        return out.getvalue()


def persona(key: str) -> Resident:
    return Resident.objects.get(login_name=f"persona-{key}")


def titles(text: str, viewer: Resident | None, kind: str) -> list[str]:
    results = services.search(text=text, viewer=viewer, kinds=(kind,), page_size=50)
    return [hit.title for hit in results.hits]


@pytest.mark.parametrize(
    ("query", "kind", "title"),
    [
        ("料理", "offering", COOKING),
        ("英会話", "offering", "旅行で使える英会話"),
        ("書", "offering", CALLIGRAPHY),
        ("菜", "offering", "はじめての家庭菜園"),
        ("りょうり", "offering", COOKING),
        ("しょどう", "offering", CALLIGRAPHY),
        ("なかむら", "lecturer", "中村 美穂"),
        ("Scratch", "offering", SCRATCH),
        ("リョウリ", "offering", COOKING),
        ("ナカムラ", "lecturer", "中村 美穂"),
        ("サンポ", "circle", WALKS),
        ("ＳＣＲＡＴＣＨ", "offering", SCRATCH),
        ("ｽﾏﾎ", "offering", PHONES),
        ("こども 書道", "offering", CHILDREN_CALLIGRAPHY),
        ("書道\u3000こども", "offering", CHILDREN_CALLIGRAPHY),
        ("スマートフォン", "offering", PHONES),
        ("料理教室", "offering", COOKING),
        ("cooking", "offering", COOKING),
        ("散歩", "circle", WALKS),
        ("shodou", "offering", CALLIGRAPHY),
        ("shodo", "offering", CALLIGRAPHY),
    ],
)
def test_a_resident_finds_it(seeded, query, kind, title):
    assert title in titles(query, persona("senior"), kind)


def test_the_index_holds_the_whole_town(seeded):
    assert "Indexed" in seeded
    assert services.search(text="", viewer=persona("staff")).total > 20


def test_two_words_find_only_what_has_both(seeded):
    for query in ("こども 書道", "書道\u3000こども"):
        found = titles(query, persona("senior"), "offering")
        assert CHILDREN_CALLIGRAPHY in found
        assert CALLIGRAPHY not in found


def test_a_child_finds_only_courses_open_to_children(seeded):
    found = titles("しょどう", persona("child"), "offering")
    assert CHILDREN_CALLIGRAPHY in found
    assert CALLIGRAPHY not in found


def test_circles_are_for_residents_and_invite_only_ones_for_their_members(seeded):
    assert titles("散歩", None, "circle") == []
    assert "桜台 子育てしゃべり場" not in titles("しゃべり場", persona("senior"), "circle")
