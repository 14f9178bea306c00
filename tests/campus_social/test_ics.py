import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campus_social.common.ics import CalendarEvent, calendar

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2025, 4, 1, 9, 0, tzinfo=TOKYO)


def _event(**overrides) -> CalendarEvent:
    values = {
        "uid": "session-1",
        "starts_at": datetime(2025, 4, 5, 10, 0, tzinfo=TOKYO),
        "ends_at": datetime(2025, 4, 5, 12, 0, tzinfo=TOKYO),
        "summary": "やさしいスマホ教室",
    }
    return CalendarEvent(**(values | overrides))


def _feed(*events: CalendarEvent, name: str = "まちなかキャンパス") -> str:
    return calendar(events, name=name, now=NOW)


# A tiny reader, enough to check what we write: unfold (3.1), split "NAME:value" (no
# parameters are written), and unescape TEXT values (3.3.11).


def _unfold(text: str) -> str:
    return re.sub(r"\r\n[ \t]", "", text)


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def _parse(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    lines = _unfold(text).split("\r\n")
    assert lines[-1] == ""
    calendar_properties: dict[str, str] = {}
    events: list[dict[str, str]] = []
    stack: list[str] = []
    for line in lines[:-1]:
        name, separator, value = line.partition(":")
        assert separator, f"not a content line: {line!r}"
        assert re.fullmatch(r"[A-Z][A-Z0-9-]*", name), f"bad property name: {name!r}"
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack == ["VCALENDAR"]:
            calendar_properties[name] = value
        else:
            assert stack == ["VCALENDAR", "VEVENT"]
            assert name not in events[-1], f"{name} appears twice"
            events[-1][name] = value
    assert stack == []
    return calendar_properties, events


def test_a_feed_is_a_published_gregorian_calendar_named_after_its_subject():
    properties, events = _parse(_feed(name="まちなかキャンパス"))

    assert properties == {
        "VERSION": "2.0",
        "PRODID": "-//Campus Social//Town campus//JA",
        "CALSCALE": "GREGORIAN",
        "METHOD": "PUBLISH",
        "X-WR-CALNAME": "まちなかキャンパス",
    }
    assert events == []


def test_the_feed_begins_and_ends_as_a_calendar():
    text = _feed(_event())

    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_every_event_carries_its_properties():
    feed = _feed(
        _event(
            uid="session-7",
            summary="郷土史講座 第2回",
            location="市民会館 2階 会議室A",
            description="持ち物: 筆記用具",
            url="https://campus.example.jp/courses/7/?session=2&lang=ja",
        ),
        _event(uid="session-8", summary="写真教室"),
    )

    _properties, events = _parse(feed)

    assert events[0] == {
        "UID": "session-7@campus-social",
        "DTSTAMP": "20250401T000000Z",
        "DTSTART": "20250405T010000Z",
        "DTEND": "20250405T030000Z",
        "SUMMARY": "郷土史講座 第2回",
        "LOCATION": "市民会館 2階 会議室A",
        "DESCRIPTION": "持ち物: 筆記用具",
        "URL": "https://campus.example.jp/courses/7/?session=2&lang=ja",
        "STATUS": "CONFIRMED",
    }
    assert events[1]["UID"] == "session-8@campus-social"
    assert events[1]["SUMMARY"] == "写真教室"


def test_empty_location_description_and_url_are_left_out():
    _properties, [event] = _parse(_feed(_event()))

    assert "LOCATION" not in event
    assert "DESCRIPTION" not in event
    assert "URL" not in event


def test_a_cancelled_event_says_so():
    _properties, [kept, cancelled] = _parse(_feed(_event(uid="a"), _event(uid="b", cancelled=True)))

    assert kept["STATUS"] == "CONFIRMED"
    assert cancelled["STATUS"] == "CANCELLED"


def test_tokyo_times_are_written_in_utc():
    morning = _event(
        starts_at=datetime(2025, 4, 5, 8, 30, tzinfo=TOKYO),
        ends_at=datetime(2025, 4, 5, 9, 45, 30, tzinfo=TOKYO),
    )

    text = _feed(morning)

    assert "\r\nDTSTART:20250404T233000Z\r\n" in text  # the day before, in UTC
    assert "\r\nDTEND:20250405T004530Z\r\n" in text
    assert "\r\nDTSTAMP:20250401T000000Z\r\n" in text


def test_times_in_any_zone_come_out_the_same_in_utc():
    in_tokyo = _feed(_event())
    in_utc = _feed(
        _event(
            starts_at=datetime(2025, 4, 5, 1, 0, tzinfo=UTC),
            ends_at=datetime(2025, 4, 5, 3, 0, tzinfo=UTC),
        )
    )

    assert in_tokyo == in_utc


def test_dtstamp_defaults_to_the_current_time_in_utc():
    before = datetime.now(UTC).replace(microsecond=0)
    text = calendar([_event()], name="x")
    after = datetime.now(UTC)

    stamp = re.search(r"\r\nDTSTAMP:(\d{8}T\d{6})Z\r\n", text)
    assert stamp
    written = datetime.strptime(stamp[1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    assert before <= written <= after


def test_special_characters_in_text_are_escaped():
    text = _feed(_event(summary="a\\b;c,d\ne", location="1F; 2F, 3F"))

    assert "\r\nSUMMARY:a\\\\b\\;c\\,d\\ne\r\n" in text
    assert "\r\nLOCATION:1F\\; 2F\\, 3F\r\n" in text


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_kind_of_newline_in_text_becomes_an_escaped_n(newline):
    text = _feed(_event(description=f"1行目{newline}2行目"))

    assert "\r\nDESCRIPTION:1行目\\n2行目\r\n" in text


def test_escaped_text_reads_back_exactly():
    description = "持ち物:\n- 筆記用具, ノート; 上履き\n- C:\\path は不要\t(タブ)"

    _properties, [event] = _parse(_feed(_event(description=description, summary="a,b;c")))

    assert _unescape(event["DESCRIPTION"]) == description
    assert _unescape(event["SUMMARY"]) == "a,b;c"


def test_control_characters_cannot_break_out_of_a_property():
    text = _feed(
        _event(
            summary="講座\x00\x1b名",
            url="https://example.jp/\r\nSTATUS:CANCELLED",
        )
    )

    _properties, [event] = _parse(text)
    assert event["SUMMARY"] == "講座名"
    assert event["STATUS"] == "CONFIRMED"
    assert event["URL"] == "https://example.jp/STATUS:CANCELLED"


def test_the_calendar_name_is_escaped_too():
    properties, _events = _parse(_feed(name="講座, 行事; その他"))

    assert properties["X-WR-CALNAME"] == "講座\\, 行事\\; その他"


def test_a_long_japanese_summary_is_folded_at_75_octets_without_splitting_characters():
    summary = "高齢者のためのやさしいスマートフォン教室、写真の撮り方と家族とのビデオ通話、" * 3

    text = _feed(_event(summary=summary))

    physical = text.encode().split(b"\r\n")
    assert max(len(line) for line in physical) <= 75
    summary_lines = [line.decode() for line in physical if line.startswith((b"SUMMARY:", b" "))]
    assert len(summary_lines) > 3
    assert all(line.startswith(" ") for line in summary_lines[1:])
    _properties, [event] = _parse(text)
    assert _unescape(event["SUMMARY"]) == summary


def test_folding_fills_each_line_as_far_as_a_whole_character_allows():
    summary = "あ" * 60  # 3 octets each; "SUMMARY:" takes 8

    lines = [line for line in _feed(_event(summary=summary)).split("\r\n") if "あ" in line]

    assert [len(line.encode()) for line in lines] == [74, 73, 43]
    assert lines[0] == "SUMMARY:" + "あ" * 22
    assert lines[1] == " " + "あ" * 24


def test_four_octet_characters_and_ascii_fold_cleanly():
    summary = "Smartphone class 📱" + "🎉a" * 40

    text = _feed(_event(summary=summary))

    for line in text.encode().split(b"\r\n"):
        assert len(line) <= 75
        line.decode()  # each physical line is valid UTF-8 by itself
    _properties, [event] = _parse(text)
    assert event["SUMMARY"] == summary


def test_a_line_of_exactly_75_octets_is_not_folded():
    summary = "x" * (75 - len("SUMMARY:"))

    text = _feed(_event(summary=summary))

    assert f"\r\nSUMMARY:{summary}\r\nSTATUS:" in text


def test_lines_end_with_crlf_and_nothing_else():
    text = _feed(
        _event(description="一行目\n二行目\r\n三行目\r四行目", summary="長い" * 80),
        _event(uid="2", cancelled=True),
    )

    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")


def test_an_event_needs_timezone_aware_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        _event(starts_at=datetime(2025, 4, 5, 10, 0), ends_at=datetime(2025, 4, 5, 12, 0))


def test_an_event_must_end_after_it_starts():
    start = datetime(2025, 4, 5, 10, 0, tzinfo=TOKYO)

    with pytest.raises(ValueError, match="end after"):
        _event(starts_at=start, ends_at=start - timedelta(minutes=1))


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar([_event()], name="x", now=datetime(2025, 4, 1, 9, 0))


def test_events_may_come_from_a_generator():
    events = (_event(uid=str(number)) for number in range(3))

    _properties, parsed = _parse(calendar(events, name="x", now=NOW))

    assert [event["UID"] for event in parsed] == [f"{n}@campus-social" for n in range(3)]
