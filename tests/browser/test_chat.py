"""Live chat in a real browser: two residents in two browser contexts talk in a circle's room
through Daphne and the websocket, one of them loses the connection and catches up, and the
message pages pass axe-core."""

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, WebSocketRoute, expect

from campus_social.identity.models import Resident
from messaging import services
from messaging.models import Message, Room, RoomMember
from tests.browser.signing_in import sign_in
from tests.factories import CardFactory, ResidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

LIVE_TEXT = "Live: new messages appear by themselves."
DISCONNECTED_TEXT = "The live chat is disconnected. Trying again…"
# Reconnecting waits 1 s, 2 s, 4 s … (with jitter) after each failed try.
RECONNECT_TIMEOUT = 30_000
SCREENSHOT_DIR = Path(os.environ.get("CHAT_SCREENSHOT_DIR", "var/screenshots"))


@dataclass
class Member:
    resident: Resident
    card_id: str
    pin: str


def _member(name: str, card_id: str) -> Member:
    resident = ResidentFactory(
        name=name,
        language="en",
        # An established account: the stricter send rate of new accounts is not under test.
        date_joined=timezone.now() - timedelta(days=365),
    )
    CardFactory(resident=resident, card_id=card_id, pin="2468")
    return Member(resident=resident, card_id=card_id, pin="2468")


@pytest.fixture
def hanako(transactional_db) -> Member:
    return _member("山田 花子", "CARDHANAKO01")


@pytest.fixture
def taro(transactional_db) -> Member:
    return _member("佐藤 太郎", "CARDTARO0001")


@pytest.fixture
def circle_room(hanako, taro) -> Room:
    room = services.room_create(kind="circle", subject_key="circle:test", title="Pottery circle")
    services.room_member_add(room=room, resident=hanako.resident)
    services.room_member_add(room=room, resident=taro.resident)
    return room


@dataclass
class SocketSwitch:
    """Stands between a page and the server's websocket: ``cut()`` kills the page's socket and
    refuses new ones until ``restore()``, as a dropped network would."""

    blocked: bool = False
    routes: list[tuple[WebSocketRoute, WebSocketRoute]] = field(default_factory=list)

    def handle(self, route: WebSocketRoute) -> None:
        if self.blocked:
            route.close()
            return
        self.routes.append((route, route.connect_to_server()))

    def cut(self) -> None:
        self.blocked = True
        for page_side, server_side in self.routes:
            server_side.close()
            page_side.close()
        self.routes.clear()

    def restore(self) -> None:
        self.blocked = False


def open_room(
    new_context: Callable[..., BrowserContext],
    site: str,
    member: Member,
    room: Room,
    switch: SocketSwitch | None = None,
) -> Page:
    page = new_context(viewport={"width": 1000, "height": 900}).new_page()
    if switch is not None:
        page.route_web_socket(re.compile(r"/ws/v1/$"), switch.handle)
    sign_in(page, site, member.card_id, member.pin)
    page.goto(f"{site}/me/messages/{room.pk}/")
    expect(page.locator("[data-chat-connection]")).to_have_text(LIVE_TEXT)
    return page


def send(page: Page, text: str) -> None:
    box = page.get_by_label("Your message")
    box.fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    # The box is emptied only once the server's message with this client_id is back.
    expect(box).to_have_value("")


def bodies(page: Page):
    return page.locator(".chat-log .chat-message__body")


def seqs(page: Page) -> list[str]:
    return page.locator(".chat-log .chat-message").evaluate_all(
        "items => items.map(item => item.dataset.seq)"
    )


def read_pointer(room: Room, member: Member) -> int:
    return RoomMember.objects.get(room=room, resident=member.resident).last_read_seq


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_two_residents_chat_live_and_a_dropped_socket_catches_up(
    asgi_live_server, new_context, hanako, taro, circle_room
):
    site = asgi_live_server.url
    switch = SocketSwitch()
    page_a = open_room(new_context, site, hanako, circle_room)
    page_b = open_room(new_context, site, taro, circle_room, switch)
    # Marks that disappear if a page reloads: everything below must happen without one.
    for page in (page_a, page_b):
        page.evaluate("window.notReloaded = true")

    send(page_a, "Hello from Hanako!")
    expect(bodies(page_b)).to_have_text(["Hello from Hanako!"])
    expect(page_b.locator(".chat-log .chat-message__author")).to_have_text(["山田 花子"])

    send(page_b, "Hi Hanako, Taro here.")
    expect(bodies(page_a)).to_have_text(["Hello from Hanako!", "Hi Hanako, Taro here."])
    expect(bodies(page_b)).to_have_text(["Hello from Hanako!", "Hi Hanako, Taro here."])

    # B's connection drops; A keeps talking.
    switch.cut()
    expect(page_b.locator("[data-chat-connection]")).to_have_text(DISCONNECTED_TEXT)
    missed = ["Are you there?", "The kiln is ready.", "See you on Sunday."]
    for text in missed:
        send(page_a, text)
    assert Message.objects.filter(room=circle_room).count() == 5
    expect(bodies(page_b)).to_have_count(2)

    # B reconnects by itself and catches up: every message once, in order.
    switch.restore()
    expect(page_b.locator("[data-chat-connection]")).to_have_text(
        LIVE_TEXT, timeout=RECONNECT_TIMEOUT
    )
    expected = ["Hello from Hanako!", "Hi Hanako, Taro here.", *missed]
    expect(bodies(page_b)).to_have_text(expected)
    assert seqs(page_b) == ["1", "2", "3", "4", "5"]

    # And live delivery goes on over the new socket, still once each.
    send(page_b, "Back again.")
    expect(bodies(page_a)).to_have_text([*expected, "Back again."])
    expect(bodies(page_b)).to_have_text([*expected, "Back again."])
    assert seqs(page_a) == seqs(page_b) == ["1", "2", "3", "4", "5", "6"]
    for page in (page_a, page_b):
        assert page.evaluate("window.notReloaded") is True
    assert list(
        Message.objects.filter(room=circle_room).order_by("seq").values_list("body", flat=True)
    ) == [*expected, "Back again."]

    # What was on screen is marked read through the socket (the author's own are read anyway).
    for member in (hanako, taro):
        wait_for(lambda m=member: read_pointer(circle_room, m) == 6)

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page_b.screenshot(path=SCREENSHOT_DIR / "chat-room.png", full_page=True)


def test_a_reply_goes_over_the_socket_and_shows_what_it_answers(
    asgi_live_server, new_context, hanako, taro, circle_room
):
    site = asgi_live_server.url
    page_a = open_room(new_context, site, hanako, circle_room)
    page_b = open_room(new_context, site, taro, circle_room)
    send(page_a, "Who brings the clay?")
    expect(bodies(page_b)).to_have_count(1)

    page_b.get_by_role("link", name="Reply to message #1").click()
    expect(page_b.locator("[data-chat-reply-text]")).to_have_text("Replying to message #1")
    send(page_b, "I will.")

    expect(page_a.locator(f"#m-{circle_room.pk}-2 .chat-message__reply-to")).to_have_text(
        "in reply to #1"
    )
    expect(page_b.locator("[data-chat-reply]")).to_be_hidden()
    assert Message.objects.get(room=circle_room, seq=2).reply_to == 1


@dataclass
class FrameDropper:
    """Passes the server's frames to the page, except the ``message`` frame with one body: a
    frame lost on the way while the socket stays open."""

    lost_body: str
    dropped: list[str] = field(default_factory=list)

    def handle(self, route: WebSocketRoute) -> None:
        server = route.connect_to_server()

        def forward(frame: str | bytes) -> None:
            text = frame.decode() if isinstance(frame, bytes) else frame
            if '"type":"message"' in text and json.loads(text).get("body") == self.lost_body:
                self.dropped.append(text)
                return
            route.send(frame)

        server.on_message(forward)


def test_a_seq_jump_fetches_the_missed_message_through_rest(
    asgi_live_server, new_context, hanako, taro, circle_room
):
    site = asgi_live_server.url
    dropper = FrameDropper(lost_body="Lost in transit")
    page_a = open_room(new_context, site, hanako, circle_room)
    page_b = open_room(new_context, site, taro, circle_room, dropper)

    send(page_a, "Lost in transit")
    with page_b.expect_request(re.compile(r"/api/v1/rooms/\d+/messages/\?after=0$")):
        send(page_a, "After the loss")

    expect(bodies(page_b)).to_have_text(["Lost in transit", "After the loss"])
    assert seqs(page_b) == ["1", "2"]
    assert len(dropper.dropped) == 1


def test_a_hidden_message_disappears_live(asgi_live_server, new_context, hanako, taro, circle_room):
    site = asgi_live_server.url
    services.room_member_add(room=circle_room, resident=hanako.resident, role="moderator")
    page_a = open_room(new_context, site, hanako, circle_room)
    page_b = open_room(new_context, site, taro, circle_room)
    send(page_b, "Something rude")
    expect(bodies(page_a)).to_have_text(["Something rude"])
    services.message_report(room_id=circle_room.pk, seq=1, reporter=hanako.resident, reason="Rude")

    queue = page_a.context.new_page()
    queue.goto(f"{site}/me/messages/moderation/")
    queue.get_by_label("Reason").fill("An insult")
    queue.get_by_role("button", name="Hide", exact=True).click()
    expect(queue.get_by_text("The message is hidden.")).to_be_visible()

    for page in (page_a, page_b):
        expect(page.locator(f"#m-{circle_room.pk}-1")).to_have_text(
            re.compile(r"This message was removed\.")
        )
        expect(bodies(page)).to_have_count(0)


def test_without_a_socket_the_form_posts_as_usual(
    asgi_live_server, new_context, hanako, circle_room
):
    site = asgi_live_server.url
    switch = SocketSwitch(blocked=True)
    page = new_context().new_page()
    page.route_web_socket(re.compile(r"/ws/v1/$"), switch.handle)
    sign_in(page, site, hanako.card_id, hanako.pin)
    page.goto(f"{site}/me/messages/{circle_room.pk}/")
    expect(page.locator("[data-chat-connection]")).to_have_text(DISCONNECTED_TEXT)

    page.get_by_label("Your message").fill("Sent the old way.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send", exact=True).click()

    expect(bodies(page)).to_have_text(["Sent the old way."])
    assert Message.objects.get(room=circle_room).body == "Sent the old way."


def test_the_message_pages_are_accessible(
    asgi_live_server, new_context, hanako, taro, circle_room, assert_accessible
):
    site = asgi_live_server.url
    services.message_send(
        room_id=circle_room.pk,
        author=taro.resident,
        client_id="6d1f3a52-7c0e-4a56-9a86-3d4b52f8e0a1",
        body="Welcome to the pottery circle!",
    )
    page_a = open_room(new_context, site, hanako, circle_room)
    send(page_a, "Thank you!")
    page_a.locator(".chat-report summary").first.click()  # an open report form, too
    assert_accessible(page_a)

    page_a.goto(f"{site}/me/messages/")
    expect(page_a.get_by_role("heading", level=1)).to_have_text("My messages")
    expect(page_a.get_by_role("link", name="Pottery circle")).to_be_visible()
    assert_accessible(page_a)
