"""The one text rule (campus_social/common/text.py) and the services that keep text under it:
invisible and spoofing text from the outside attack on the demo town (issue #9, item 6)."""

from datetime import date

import pytest

from campus_social.common.errors import Invalid
from campus_social.common.text import refuse_lone_surrogates, text_clean
from campus_social.identity import services as identity
from campus_social.identity.selectors import OPERATOR
from communities import services as communities
from courses import services as courses
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.factories import DistrictFactory, ResidentFactory

RIGHT_TO_LEFT_OVERRIDE = "abc\u202egpj.exe"
ONLY_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u3164 \u3000"
SPOOFING = [
    RIGHT_TO_LEFT_OVERRIDE,
    "abc\u2066def",  # an isolate
    "a\x00b",
    "bell\x07",
    "esc\x1b[2J",
    "a\x7fb",
    "a\x85b",  # NEL, a C1 control
]


@pytest.mark.parametrize("text", SPOOFING)
def test_control_and_bidi_characters_are_refused_in_short_and_long_text(text):
    for multiline in (False, True):
        with pytest.raises(Invalid) as refused:
            text_clean(text, multiline=multiline)
        assert refused.value.code == "invalid"


@pytest.mark.parametrize("text", ["一行目\n二行目", "a\tb", "a\r\nb", "a\u2028b"])
def test_one_line_text_refuses_line_breaks_and_tabs_that_long_text_keeps(text):
    with pytest.raises(Invalid):
        text_clean(text)
    assert text_clean(text, multiline=True) == text


def test_a_lone_surrogate_is_refused_in_text_and_anywhere_in_parsed_json():
    with pytest.raises(Invalid):
        text_clean("x\ud800")
    with pytest.raises(Invalid):
        refuse_lone_surrogates({"type": "send", "nested": [{"\udfff": 1}]})
    refuse_lone_surrogates({"body": "絵文字 👍", "room": 1, "after": None})


def test_text_is_stored_nfc_and_nothing_but_invisible_characters_counts_as_empty():
    assert text_clean("カ\u3099タカナ") == "ガタカナ"
    assert text_clean(ONLY_INVISIBLE) == ""
    assert text_clean("\u2800\ufe0f") == ""
    # Joiners inside visible text are kept: emoji families need them.
    assert text_clean("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"


# --- every service that stores a name, title or text -------------------------------------------


def _field_refused(call, field: str) -> list[str]:
    """The messages the refusal gives for ``field`` (it fails unless the call is refused there)."""
    with pytest.raises(Invalid) as refused:
        call()
    assert field in refused.value.fields, refused.value.fields
    return refused.value.fields[field]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", [ONLY_INVISIBLE, RIGHT_TO_LEFT_OVERRIDE, "佐藤\x00一郎", "佐藤\n一郎"]
)
def test_a_resident_name_that_is_invisible_or_spoofing_is_refused(name):
    def register():
        identity.resident_register(
            actor=OPERATOR, name=name, birth_date=date(1950, 4, 1), card_id="CARD9876", pin="1357"
        )

    assert _field_refused(register, "name")
    if name == ONLY_INVISIBLE:
        return  # the reading is optional: an invisible one is simply none
    assert _field_refused(
        lambda: identity.resident_register(
            actor=OPERATOR,
            name="佐藤 一郎",
            name_kana=name,
            birth_date=date(1950, 4, 1),
            card_id="CARD9876",
            pin="1357",
        ),
        "name_kana",
    )


@pytest.mark.django_db
def test_a_resident_name_is_stored_nfc():
    resident = identity.resident_register(
        actor=OPERATOR,
        name="佐藤 カ\u3099ク",
        birth_date=date(1950, 4, 1),
        card_id="CARD9876",
        pin="1357",
    )
    assert resident.name == "佐藤 ガク"


@pytest.mark.django_db
@pytest.mark.parametrize("name", [ONLY_INVISIBLE, RIGHT_TO_LEFT_OVERRIDE, "写真\x1bの会"])
def test_a_circle_name_that_is_invisible_or_spoofing_is_refused(name):
    values = {
        "name": name,
        "name_kana": "しゃしんのかい",
        "district_id": DistrictFactory().pk,
        "topics": ["arts"],
    }
    assert _field_refused(
        lambda: communities.circle_create(actor=ResidentFactory(), **values), "name"
    )


@pytest.mark.django_db
def test_thread_titles_replies_events_and_resources_follow_the_one_rule():
    circle = make_circle()
    member = add_member(circle)
    organiser = organiser_of(circle)

    _field_refused(
        lambda: communities.thread_create(
            actor=member, circle_id=circle.pk, title=ONLY_INVISIBLE, body="本文"
        ),
        "title",
    )
    _field_refused(
        lambda: communities.thread_create(
            actor=member, circle_id=circle.pk, title="題", body="本文\x00"
        ),
        "body",
    )
    thread = communities.thread_create(
        actor=member, circle_id=circle.pk, title="次の集まり", body="一行目\n\t二行目"
    )
    assert thread.body == "一行目\n\t二行目"
    _field_refused(
        lambda: communities.reply_create(
            actor=member, thread_id=thread.pk, body=RIGHT_TO_LEFT_OVERRIDE
        ),
        "body",
    )
    _field_refused(
        lambda: communities.resource_add_link(
            actor=member, circle_id=circle.pk, title=RIGHT_TO_LEFT_OVERRIDE, url="https://a.jp/"
        ),
        "title",
    )
    _field_refused(
        lambda: communities.event_create(
            actor=organiser,
            circle_id=circle.pk,
            title="散歩",
            place="駅前\n広場",
            starts_at=None,
            ends_at=None,
        ),
        "place",
    )


@pytest.mark.django_db
def test_a_lecturer_application_refuses_invisible_names_and_spoofing_text():
    def apply(**changes):
        values = {
            "display_name": "山田 花子",
            "name_kana": "やまだ はなこ",
            "profile": "書道を教えて三十年です。\n子どもにも教えています。",
            "skills": "書道",
            "teaching_wishes": "楷書の基本",
        }
        return courses.lecturer_apply(resident=ResidentFactory(), **(values | changes))

    _field_refused(lambda: apply(display_name=ONLY_INVISIBLE), "display_name")
    _field_refused(lambda: apply(skills=RIGHT_TO_LEFT_OVERRIDE), "skills")
    _field_refused(lambda: apply(profile="本文\x00"), "profile")
    assert apply().profile == "書道を教えて三十年です。\n子どもにも教えています。"
