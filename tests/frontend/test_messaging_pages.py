"""The message pages without JavaScript, driven through Django's test client: the room list, a
room's history and its send / reply / read / report forms, and the moderators' queue."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging import services
from messaging.models import Message, MessageReport, ModerationAction, Room, RoomMember
from tests.factories import (
    ChildFactory,
    GuardianLinkFactory,
    ResidentFactory,
    VettingRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def _resident(name: str, **fields):
    # Registered long ago: the stricter send rate of new accounts is not under test here.
    return ResidentFactory(
        name=name, language="en", date_joined=timezone.now() - timedelta(days=365), **fields
    )


def _room(title: str = "Pottery circle", key: str = "circle:test") -> Room:
    return services.room_create(kind="circle", subject_key=key, title=title)


def _say(room: Room, author, body: str, **fields) -> Message:
    message, _created = services.message_send(
        room_id=room.pk, author=author, client_id=uuid.uuid4(), body=body, **fields
    )
    return message


def _room_url(room: Room) -> str:
    return reverse("frontend:message-room", kwargs={"room_id": room.pk})


@pytest.fixture
def hanako():
    return _resident("山田 花子")


@pytest.fixture
def taro():
    return _resident("佐藤 太郎")


@pytest.fixture
def circle(hanako, taro) -> Room:
    room = _room()
    services.room_member_add(room=room, resident=hanako)
    services.room_member_add(room=room, resident=taro)
    return room


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("frontend:messages", {}),
        ("frontend:message-room", {"room_id": 1}),
        ("frontend:message-moderation", {}),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))
    assert f"next={url}" in response["Location"]


def test_an_outsider_gets_404_for_a_room_and_its_forms(circle, signed_in_page):
    outsider = signed_in_page(_resident("部外 者"))
    assert outsider.get(_room_url(circle)).status_code == 404
    response = outsider.post(_room_url(circle), {"body": "hello", "client_id": str(uuid.uuid4())})
    assert response.status_code == 404
    report_url = reverse("frontend:message-report", kwargs={"room_id": circle.pk})
    assert outsider.post(report_url, {"seq": 1, "reason": "spam"}).status_code == 404
    read_url = reverse("frontend:message-room-read", kwargs={"room_id": circle.pk})
    assert outsider.post(read_url, {"seq": 0}).status_code == 404
    assert not Message.objects.exists()


def test_the_menu_links_to_my_messages(hanako, signed_in_page):
    response = signed_in_page(hanako).get(reverse("frontend:my-page"))
    assert f'href="{reverse("frontend:messages")}"' in response.content.decode()


# --- The room list ----------------------------------------------------------------------------


def test_my_messages_lists_my_rooms_with_unread_counts(circle, hanako, taro, signed_in_page):
    _say(circle, taro, "one")
    _say(circle, taro, "two")
    direct, _created = services.direct_room_open(resident=hanako, other_id=taro.pk)
    _room("Someone else's circle", key="circle:other")  # not a member

    response = signed_in_page(hanako).get(reverse("frontend:messages"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Pottery circle" in page
    assert "2 unread" in page
    assert taro.display_name in page  # a direct room is called by the other person's name
    assert _room_url(direct) in page
    assert "Someone else" not in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_list_says_so_when_i_am_in_no_room(hanako, signed_in_page):
    response = signed_in_page(hanako).get(reverse("frontend:messages"))
    assert "You are not in any room yet." in response.content.decode()


# --- A room page ------------------------------------------------------------------------------


def test_a_room_page_renders_its_history_without_javascript(circle, hanako, taro, signed_in_page):
    first = _say(circle, taro, "Who brings the clay?")
    _say(circle, hanako, "I will.\nTwo bags.", reply_to=first.seq)
    removed = _say(circle, taro, "oops")
    services.message_delete(room_id=circle.pk, seq=removed.seq, author=taro)

    response = signed_in_page(hanako).get(_room_url(circle))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Who brings the clay?" in page
    assert "I will.\nTwo bags." in page
    assert "佐藤 太郎" in page
    assert "in reply to #1" in page
    assert "This message was removed." in page
    assert "oops" not in page
    assert 'role="log"' in page
    assert 'aria-live="polite"' in page
    # The live chat is configured through data attributes, its script is a file (CSP).
    assert f'data-room="{circle.pk}"' in page
    assert 'data-last-seq="3"' in page
    assert 'data-live="true"' in page
    assert f'data-messages-url="/api/v1/rooms/{circle.pk}/messages/"' in page
    assert "/static/frontend/js/chat.js" in page
    assert "<script>" not in page
    assert " style=" not in page
    # A form to send, with a client_id made at render time.
    assert 'name="client_id"' in page
    assert response.context["send_form"].initial["client_id"]


def test_each_rendering_has_a_fresh_client_id(circle, hanako, signed_in_page):
    client = signed_in_page(hanako)
    first = client.get(_room_url(circle)).context["send_form"].initial["client_id"]
    second = client.get(_room_url(circle)).context["send_form"].initial["client_id"]
    assert isinstance(first, uuid.UUID)
    assert first != second


def test_older_messages_are_a_link_away(circle, hanako, taro, signed_in_page):
    for number in range(1, 56):
        _say(circle, taro if number % 2 else hanako, f"message number {number}")
    client = signed_in_page(hanako)

    newest = client.get(_room_url(circle))
    page = newest.content.decode()
    assert [m.seq for m in newest.context["chat_messages"]] == list(range(6, 56))
    assert "message number 55" in page
    assert "message number 5<" not in page
    assert f'{_room_url(circle)}?before=6"' in page

    older = client.get(_room_url(circle), {"before": 6})
    assert [m.seq for m in older.context["chat_messages"]] == [1, 2, 3, 4, 5]
    older_page = older.content.decode()
    assert 'data-live="false"' in older_page
    assert "Newest messages" in older_page
    assert "?before=" not in older_page.split('aria-label="Older and newer messages"')[1][:300]


def test_posting_the_form_sends_a_message(circle, hanako, signed_in_page):
    client_id = uuid.uuid4()
    response = signed_in_page(hanako).post(
        _room_url(circle), {"body": "Hello, everyone!", "client_id": str(client_id)}
    )

    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_room_url(circle)}#m-{circle.pk}-1"
    assert (message.seq, message.body, message.author, message.client_id) == (
        1,
        "Hello, everyone!",
        hanako,
        client_id,
    )


def test_a_double_submit_with_the_same_client_id_stores_one_message(circle, hanako, signed_in_page):
    client = signed_in_page(hanako)
    form = {"body": "Only once, please", "client_id": str(uuid.uuid4())}

    first = client.post(_room_url(circle), form)
    second = client.post(_room_url(circle), form)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Message.objects.count() == 1


def test_a_reply_starts_from_the_reply_link(circle, hanako, taro, signed_in_page):
    _say(circle, taro, "Shall we meet on Sunday?")
    client = signed_in_page(hanako)

    page = client.get(_room_url(circle), {"reply_to": 1}).content.decode()
    assert "Replying to message #1" in page
    assert 'name="reply_to" value="1"' in page

    client.post(
        _room_url(circle), {"body": "Yes!", "client_id": str(uuid.uuid4()), "reply_to": "1"}
    )
    assert Message.objects.get(seq=2).reply_to == 1


def test_an_empty_or_too_long_message_is_refused_with_the_text_kept(circle, hanako, signed_in_page):
    client = signed_in_page(hanako)

    for blank in ("", "   "):
        empty = client.post(_room_url(circle), {"body": blank, "client_id": str(uuid.uuid4())})
        assert empty.status_code == 400
        assert "Please write a message." in empty.content.decode()

    long_text = "あ" * 4001
    too_long = client.post(_room_url(circle), {"body": long_text, "client_id": str(uuid.uuid4())})
    page = too_long.content.decode()
    assert too_long.status_code == 400
    assert "at most 4000 characters" in page
    assert long_text in page  # nothing typed is lost
    assert not Message.objects.exists()


def test_a_muted_member_sees_why_the_message_was_not_sent(circle, hanako, taro, signed_in_page):
    moderator = _resident("司会 者")
    services.room_member_add(room=circle, resident=moderator, role=RoomMember.Role.MODERATOR)
    services.member_mute(
        room_id=circle.pk, moderator=moderator, resident_id=taro.pk, minutes=30, reason="Rude"
    )

    response = signed_in_page(taro).post(
        _room_url(circle), {"body": "Let me speak", "client_id": str(uuid.uuid4())}
    )

    page = response.content.decode()
    assert response.status_code == 403
    assert "A moderator has muted you in this room until" in page
    assert 'class="error-summary"' in page
    assert "Let me speak" in page
    assert not Message.objects.exists()


def test_a_resident_sending_too_fast_is_asked_to_wait(circle, hanako, settings, signed_in_page):
    settings.MESSAGE_RATE = "1/min"
    client = signed_in_page(hanako)
    client.post(_room_url(circle), {"body": "one", "client_id": str(uuid.uuid4())})

    response = client.post(_room_url(circle), {"body": "two", "client_id": str(uuid.uuid4())})

    assert response.status_code == 429
    assert "You are sending messages very fast." in response.content.decode()
    assert Message.objects.count() == 1


def test_a_guardian_reads_the_childs_room_without_a_form(signed_in_page):
    coordinator = _resident("先生 一郎")
    VettingRecordFactory(resident=coordinator)
    link = GuardianLinkFactory(guardian=_resident("保護 者"), child=ChildFactory(language="en"))
    room = services.room_create(kind="program", subject_key="program:1", title="Clay for kids")
    services.room_member_add(room=room, resident=coordinator, role=RoomMember.Role.MODERATOR)
    services.room_member_add(room=room, resident=link.child)
    _say(room, coordinator, "Welcome, children!")
    guardian = signed_in_page(link.guardian)

    response = guardian.get(_room_url(room))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Welcome, children!" in page
    assert "You can read this room, but not write in it." in page
    assert 'name="body"' not in page
    assert "?reply_to=" not in page
    refused = guardian.post(_room_url(room), {"body": "Hi", "client_id": str(uuid.uuid4())})
    assert refused.status_code == 403
    assert "You can read this room but not write in it." in refused.content.decode()
    assert Message.objects.count() == 1


def test_mark_as_read_moves_the_read_pointer(circle, hanako, taro, signed_in_page):
    _say(circle, taro, "one")
    _say(circle, taro, "two")
    client = signed_in_page(hanako)
    assert "2 unread messages." in client.get(_room_url(circle)).content.decode()

    response = client.post(
        reverse("frontend:message-room-read", kwargs={"room_id": circle.pk}), {"seq": 2}
    )

    assert response.status_code == 302
    assert RoomMember.objects.get(room=circle, resident=hanako).last_read_seq == 2
    assert "unread messages." not in client.get(_room_url(circle)).content.decode()


def test_a_member_reports_a_message_to_the_moderators(circle, hanako, taro, signed_in_page):
    _say(circle, taro, "Buy cheap watches!")
    client = signed_in_page(hanako)
    assert "What is wrong with this message?" in client.get(_room_url(circle)).content.decode()

    response = client.post(
        reverse("frontend:message-report", kwargs={"room_id": circle.pk}),
        {"seq": 1, "reason": "Advertising"},
        follow=True,
    )

    report = MessageReport.objects.get()
    assert (report.reporter, report.reason, report.message.seq) == (hanako, "Advertising", 1)
    assert "The moderators of this room will look at the message." in response.content.decode()


def test_a_report_without_a_reason_is_refused(circle, hanako, taro, signed_in_page):
    _say(circle, taro, "hm")
    response = signed_in_page(hanako).post(
        reverse("frontend:message-report", kwargs={"room_id": circle.pk}),
        {"seq": 1, "reason": ""},
        follow=True,
    )
    assert "Please say in at most 500 characters what is wrong." in response.content.decode()
    assert not MessageReport.objects.exists()


# --- Moderation -------------------------------------------------------------------------------


def test_the_queue_lists_only_rooms_i_moderate_and_hiding_works(
    circle, hanako, taro, signed_in_page
):
    moderator = _resident("司会 者")
    services.room_member_add(room=circle, resident=moderator, role=RoomMember.Role.MODERATOR)
    other = _room("Another circle", key="circle:another")
    services.room_member_add(room=other, resident=hanako)
    services.room_member_add(room=other, resident=taro)
    services.room_member_add(room=other, resident=moderator)  # a plain member there
    _say(circle, taro, "Rude words here")
    _say(other, taro, "Spam elsewhere")
    services.message_report(room_id=circle.pk, seq=1, reporter=hanako, reason="Rude")
    services.message_report(room_id=other.pk, seq=1, reporter=hanako, reason="Spam")
    client = signed_in_page(moderator)

    page = client.get(reverse("frontend:message-moderation")).content.decode()
    assert "Rude words here" in page
    assert "Spam elsewhere" not in page
    assert "Pottery circle #1" in page

    moderate_url = reverse("frontend:message-moderate", kwargs={"room_id": circle.pk, "seq": 1})
    refused = client.post(moderate_url, {"action": "hide", "reason": ""}, follow=True)
    assert "Please give a reason" in refused.content.decode()
    assert not Message.objects.get(room=circle, seq=1).is_removed

    response = client.post(moderate_url, {"action": "hide", "reason": "Insult"}, follow=True)

    message = Message.objects.get(room=circle, seq=1)
    assert message.is_removed
    assert not message.removal_final
    assert ModerationAction.objects.get().reason == "Insult"
    assert MessageReport.objects.get(message=message).resolution == "hidden"
    page = response.content.decode()
    assert "The message is hidden." in page
    assert "There are no open reports in the rooms you moderate." in page
    room_page = client.get(_room_url(circle)).content.decode()
    assert "This message was removed." in room_page
    assert "Rude words here" not in room_page


def test_a_plain_member_cannot_moderate(circle, hanako, taro, signed_in_page):
    _say(circle, taro, "hello")
    services.message_report(room_id=circle.pk, seq=1, reporter=hanako, reason="?")
    client = signed_in_page(hanako)

    assert (
        "There are no open reports"
        in client.get(reverse("frontend:message-moderation")).content.decode()
    )
    moderate_url = reverse("frontend:message-moderate", kwargs={"room_id": circle.pk, "seq": 1})
    assert client.post(moderate_url, {"action": "remove", "reason": "x"}).status_code == 404
    assert not Message.objects.get().is_removed


def test_the_room_list_links_moderators_to_their_queue(circle, hanako, signed_in_page):
    moderator = _resident("司会 者")
    services.room_member_add(room=circle, resident=moderator, role=RoomMember.Role.MODERATOR)
    queue = reverse("frontend:message-moderation")
    assert queue in signed_in_page(moderator).get(reverse("frontend:messages")).content.decode()
    assert queue not in signed_in_page(hanako).get(reverse("frontend:messages")).content.decode()


def test_a_muted_member_is_told_why_instead_of_offered_the_box(
    circle, hanako, taro, signed_in_page
):
    moderator = _resident("司会 者")
    services.room_member_add(room=circle, resident=moderator, role=RoomMember.Role.MODERATOR)
    _say(circle, hanako, "Hello all")
    services.member_mute(
        room_id=circle.pk, moderator=moderator, resident_id=taro.pk, minutes=30, reason="Rude"
    )

    page = signed_in_page(taro).get(_room_url(circle)).content.decode()

    assert "A moderator has muted you in this room until" in page
    assert 'data-send-refusal="muted"' in page
    assert 'name="body"' not in page
    assert "?reply_to=" not in page
    # The others still have the box.
    assert 'name="body"' in signed_in_page(hanako).get(_room_url(circle)).content.decode()


def test_an_adult_whose_vetting_lapsed_is_told_why_where_children_are(signed_in_page):
    coordinator = _resident("先生 一郎")
    VettingRecordFactory(resident=coordinator)
    helper = _resident("手伝 二郎")
    record = VettingRecordFactory(resident=helper)
    room = services.room_create(kind="program", subject_key="program:2", title="Clay for kids")
    services.room_member_add(room=room, resident=coordinator, role=RoomMember.Role.MODERATOR)
    services.room_member_add(room=room, resident=helper)
    services.room_member_add(room=room, resident=ChildFactory(language="en"))
    record.expires_on = timezone.localdate() - timedelta(days=1)
    record.save(update_fields=["expires_on"])

    page = signed_in_page(helper).get(_room_url(room)).content.decode()

    assert 'data-send-refusal="vetting_required"' in page
    assert "current vetting record" in page
    assert 'name="body"' not in page
