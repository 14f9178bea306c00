"""The circle pages through Django's test client: who may see each page, the directory and its
filters, starting a circle, my circles, a circle's page (joining, asking, invitations, leaving,
children through a guardian, the chat), editing, the picture, closing, the members page (requests,
invitations, roles, removing, banning, handing on) and the staff's figure of course circles that
live on.  Each refusal of a service shows its message, and nothing changes."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from campus_social.audit.models import AuditEvent
from campus_social.search import services as search_services
from communities import services
from communities.models import Circle, CircleEvent, CircleMember
from messaging.models import RoomMember
from tests.communities.builders import expire_vetting
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.courses.factories import LecturerFactory, OfferingFactory, VettingRecordFactory
from tests.factories import (
    ChildFactory,
    DistrictFactory,
    GuardianLinkFactory,
    ResidentFactory,
    years_ago,
)

pytestmark = pytest.mark.django_db

Status = CircleMember.Status
Role = CircleMember.Role


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _resident(name: str, **fields):
    return ResidentFactory(name=name, language="en", **fields)


def _page(response) -> str:
    return response.content.decode()


def _url(name: str, circle: Circle, **extra) -> str:
    return reverse(name, kwargs={"circle_id": circle.pk, **extra})


def _standing(circle: Circle, resident) -> CircleMember | None:
    return CircleMember.objects.filter(circle=circle, resident=resident).first()


def _vetted(resident):
    VettingRecordFactory(lecturer=LecturerFactory(resident=resident))
    return resident


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def hanako():
    """The organiser of ``circle``."""
    return _resident("山田 花子")


@pytest.fixture
def taro():
    return _resident("佐藤 太郎")


@pytest.fixture
def jiro():
    return _resident("鈴木 次郎")


@pytest.fixture
def chuo():
    return DistrictFactory(slug="chuo", name="Chuo")


@pytest.fixture
def circle(hanako, chuo):
    return make_circle(
        organiser=hanako,
        name="Calligraphy friends",
        name_kana="しょどうなかま",
        district_id=chuo.pk,
    )


@pytest.fixture
def moderated(hanako, chuo):
    return make_circle(
        organiser=hanako,
        name="Haiku evenings",
        name_kana="はいく",
        district_id=chuo.pk,
        visibility=Circle.Visibility.MODERATED,
        topics=["languages"],
    )


@pytest.fixture
def hidden(hanako, chuo):
    return make_circle(
        organiser=hanako,
        name="Secret garden club",
        name_kana="ひみつ",
        district_id=chuo.pk,
        visibility=Circle.Visibility.INVITE_ONLY,
    )


# --- Who may see what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("frontend:circles", {}, "get"),
        ("frontend:circle-new", {}, "get"),
        ("frontend:my-circles", {}, "get"),
        ("frontend:circle", {"circle_id": 1}, "get"),
        ("frontend:circle-picture", {"circle_id": 1}, "get"),
        ("frontend:circle-join", {"circle_id": 1}, "post"),
        ("frontend:circle-leave", {"circle_id": 1}, "post"),
        ("frontend:circle-edit", {"circle_id": 1}, "get"),
        ("frontend:circle-picture-set", {"circle_id": 1}, "post"),
        ("frontend:circle-picture-remove", {"circle_id": 1}, "post"),
        ("frontend:circle-close", {"circle_id": 1}, "get"),
        ("frontend:circle-members", {"circle_id": 1}, "get"),
        ("frontend:circle-invite", {"circle_id": 1}, "post"),
        ("frontend:circle-hand-on", {"circle_id": 1}, "post"),
        ("frontend:circle-request-decide", {"circle_id": 1, "resident_id": 1}, "post"),
        ("frontend:circle-member-remove", {"circle_id": 1, "resident_id": 1}, "post"),
        ("frontend:circle-unban", {"circle_id": 1, "resident_id": 1}, "post"),
        ("frontend:circle-role-set", {"circle_id": 1, "resident_id": 1}, "post"),
        ("frontend:staff-circles", {}, "get"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name, kwargs, method):
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


def test_an_outsider_asking_for_an_invite_only_circle_gets_404_everywhere(
    hidden, taro, signed_in_page
):
    client = signed_in_page(taro)
    for name in ("frontend:circle", "frontend:circle-members", "frontend:circle-picture"):
        assert client.get(_url(name, hidden)).status_code == 404
    assert client.post(_url("frontend:circle-join", hidden)).status_code == 404
    assert "Secret garden club" not in _page(client.get(reverse("frontend:circles")))
    assert _standing(hidden, taro) is None


def test_a_non_member_may_see_the_circle_but_not_its_members(circle, taro, signed_in_page):
    client = signed_in_page(taro)
    page = client.get(_url("frontend:circle", circle))
    assert page.status_code == 200
    assert "Join the circle" in _page(page)
    assert _url("frontend:circle-members", circle) not in _page(page)
    assert 'class="chat"' not in _page(page)

    members = client.get(_url("frontend:circle-members", circle))
    assert members.status_code == 403
    assert "Only members of the circle can do this." in _page(members)


def test_a_member_does_not_manage(circle, taro, jiro, signed_in_page):
    add_member(circle, taro)
    add_member(circle, jiro)
    client = signed_in_page(taro)

    page = _page(client.get(_url("frontend:circle-members", circle)))
    assert "山田 花子" in page
    assert "鈴木 次郎" in page
    assert "Send the invitation" not in page
    assert "Ban" not in page
    assert client.get(_url("frontend:circle-edit", circle)).status_code == 403
    assert client.get(_url("frontend:circle-close", circle)).status_code == 403

    refused = client.post(_url("frontend:circle-member-remove", circle, resident_id=jiro.pk))
    assert refused.status_code == 403
    assert _standing(circle, jiro).is_active


def test_the_menu_links_to_circles_when_signed_in(client, taro, signed_in_page):
    assert f'href="{reverse("frontend:circles")}"' not in _page(
        client.get(reverse("frontend:landing"))
    )
    signed_in = _page(signed_in_page(taro).get(reverse("frontend:landing")))
    assert f'href="{reverse("frontend:circles")}"' in signed_in


def test_my_page_shows_my_resident_number_and_links_to_my_circles(taro, signed_in_page):
    page = _page(signed_in_page(taro).get(reverse("frontend:my-page")))
    assert f"Your resident number (for circle invitations): {taro.pk}" in page
    assert f'href="{reverse("frontend:my-circles")}"' in page


# --- The directory ----------------------------------------------------------------------------


def test_the_directory_lists_circles_with_their_facts(
    circle, moderated, taro, jiro, signed_in_page
):
    add_member(circle, jiro)
    client = signed_in_page(taro)

    response = client.get(reverse("frontend:circles"))
    page = _page(response)
    assert response.status_code == 200
    assert "2 circles" in page
    assert "Calligraphy friends" in page
    assert "しょどうなかま" in page
    assert "Haiku evenings" in page
    assert "Chuo" in page
    assert "not yet" in page
    assert f'href="{reverse("frontend:my-circles")}"' in page
    assert f'href="{reverse("frontend:circle-new")}"' in page


def test_the_directory_filters_by_topic_district_activity_and_words(
    circle, moderated, taro, signed_in_page
):
    elsewhere = make_circle(
        name="Go players",
        name_kana="いご",
        district_id=DistrictFactory(slug="kita").pk,
        topics=["other"],  # not "arts and calligraphy": "calligraphy" would find it
    )
    CircleEvent.objects.create(
        circle=elsewhere,
        title="Tuesday games",
        place="Library",
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )
    search_services.rebuild()  # words are found through the search index
    client = signed_in_page(taro)

    def names(**query) -> set[str]:
        page = _page(client.get(reverse("frontend:circles"), query))
        return {c for c in ("Calligraphy friends", "Haiku evenings", "Go players") if c in page}

    assert names(topic="languages") == {"Haiku evenings"}
    assert names(district="kita") == {"Go players"}
    assert names(active="30") == {"Go players"}
    assert names(q="はいく") == {"Haiku evenings"}
    assert names(q="calligraphy") == {"Calligraphy friends"}
    assert names() == {"Calligraphy friends", "Haiku evenings", "Go players"}


def test_the_directory_refuses_a_filter_it_does_not_know(taro, signed_in_page):
    response = signed_in_page(taro).get(reverse("frontend:circles"), {"active": "7"})
    assert response.status_code == 400
    assert "Select a valid choice." in _page(response)


def test_the_directory_shows_twenty_circles_a_page(taro, signed_in_page):
    organiser = ResidentFactory()
    district = DistrictFactory()
    for number in range(21):
        make_circle(
            organiser=organiser,
            name=f"Circle {number:02d}",
            name_kana=f"さーくる{number:02d}",
            district_id=district.pk,
        )
    client = signed_in_page(taro)
    first = _page(client.get(reverse("frontend:circles")))
    assert "Circle 00" in first
    assert "Circle 20" not in first
    assert "Page 1 of 2" in first
    assert "Circle 20" in _page(client.get(reverse("frontend:circles"), {"page": "2"}))


def test_the_directory_counts_the_same_queries_for_more_circles(taro, signed_in_page):
    """Guards the N+1 of each card's topics, district, member count and liveliness."""
    organiser = ResidentFactory()
    district = DistrictFactory()
    client = signed_in_page(taro)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("frontend:circles")).status_code == 200
        return len(captured)

    make_circle(organiser=organiser, name="One", district_id=district.pk)
    few = queries()
    for number in range(5):
        make_circle(organiser=organiser, name=f"More {number}", district_id=district.pk)
    assert queries() == few


def test_a_child_sees_only_circles_open_to_children(circle, chuo, signed_in_page):
    leader = _vetted(_resident("指導 者"))
    make_circle(organiser=leader, name="Young readers", district_id=chuo.pk, for_children=True)
    child = ChildFactory(language="en")

    page = _page(signed_in_page(child).get(reverse("frontend:circles")))
    assert "Young readers" in page
    assert "Open to children" in page
    assert "Calligraphy friends" not in page
    assert f'href="{reverse("frontend:circle-new")}"' not in page


# --- Starting a circle ------------------------------------------------------------------------


def test_a_resident_starts_a_circle_and_organises_it(taro, chuo, signed_in_page):
    client = signed_in_page(taro)
    assert client.get(reverse("frontend:circle-new")).status_code == 200

    response = client.post(
        reverse("frontend:circle-new"),
        {
            "name": "Morning walkers",
            "name_kana": "あさのさんぽ",
            "description": "We walk by the river on Saturdays.",
            "district": str(chuo.pk),
            "visibility": "moderated",
            "topics": ["health", "nature"],
        },
    )
    circle = Circle.objects.get(name="Morning walkers")
    assert response.status_code == 302
    assert response["Location"] == _url("frontend:circle", circle)
    assert circle.visibility == Circle.Visibility.MODERATED
    assert sorted(circle.topics.values_list("topic", flat=True)) == ["health", "nature"]
    assert organiser_of(circle) == taro
    assert RoomMember.objects.filter(room=circle.room, resident=taro).exists()


def test_starting_a_circle_without_a_topic_shows_the_error(taro, chuo, signed_in_page):
    response = signed_in_page(taro).post(
        reverse("frontend:circle-new"),
        {"name": "No topic", "name_kana": "なし", "district": str(chuo.pk), "visibility": "open"},
    )
    assert response.status_code == 400
    assert "Choose at least one topic." in _page(response)
    assert not Circle.objects.exists()


def test_opening_a_circle_to_children_needs_a_vetted_organiser(taro, chuo, signed_in_page):
    response = signed_in_page(taro).post(
        reverse("frontend:circle-new"),
        {
            "name": "Kids chess",
            "name_kana": "ちぇす",
            "district": str(chuo.pk),
            "visibility": "open",
            "topics": ["history"],
            "for_children": "on",
        },
    )
    assert response.status_code == 403
    assert "Only an organiser with a current vetting record" in _page(response)
    assert not Circle.objects.exists()


# --- Joining and leaving ----------------------------------------------------------------------


def test_joining_an_open_circle_makes_a_member_with_the_chat(circle, taro, signed_in_page):
    client = signed_in_page(taro)
    response = client.post(_url("frontend:circle-join", circle))
    assert response.status_code == 302
    assert response["Location"] == _url("frontend:circle", circle)
    assert _standing(circle, taro).is_active
    assert RoomMember.objects.filter(room=circle.room, resident=taro).exists()

    page = _page(client.get(response["Location"]))
    assert "Welcome! You are a member of “Calligraphy friends”." in page
    assert "You are a member of this circle." in page
    assert f'id="chat-heading-{circle.room_id}"' in page
    assert _url("frontend:circle-members", circle) in page
    assert f"/circles/{circle.pk}/discussions/" in page
    assert f"/circles/{circle.pk}/events/" in page
    assert f"/circles/{circle.pk}/resources/" in page


def test_asking_to_join_a_moderated_circle_waits_for_the_organisers(
    moderated, taro, signed_in_page
):
    client = signed_in_page(taro)
    assert "Ask to join" in _page(client.get(_url("frontend:circle", moderated)))
    client.post(_url("frontend:circle-join", moderated))
    assert _standing(moderated, taro).status == Status.REQUESTED

    page = _page(client.get(_url("frontend:circle", moderated)))
    assert "You asked to join." in page
    assert "Withdraw my request" in page


def test_a_banned_resident_cannot_join_again(circle, hanako, taro, signed_in_page):
    add_member(circle, taro)
    services.circle_member_remove(actor=hanako, circle_id=circle.pk, resident_id=taro.pk, ban=True)
    client = signed_in_page(taro)
    assert "You cannot join this circle." in _page(client.get(_url("frontend:circle", circle)))

    response = client.post(_url("frontend:circle-join", circle))
    assert response.status_code == 403
    assert "You cannot join this circle." in _page(response)
    assert 'class="error-summary"' in _page(response)
    assert _standing(circle, taro).status == Status.BANNED
    # Shown on the circle's page rather than the 403 page, and audited all the same.
    assert AuditEvent.objects.filter(action="permission.denied", actor_id=taro.pk).exists()


def test_an_invited_resident_accepts_from_my_circles(hidden, hanako, taro, signed_in_page):
    services.circle_invite(actor=hanako, circle_id=hidden.pk, resident_id=taro.pk)
    client = signed_in_page(taro)
    mine = _page(client.get(reverse("frontend:my-circles")))
    assert "Invitations" in mine
    assert "Secret garden club" in mine
    assert "Invited by 山田 花子" in mine

    response = client.post(
        _url("frontend:circle-join", hidden), {"next": reverse("frontend:my-circles")}
    )
    assert response["Location"] == reverse("frontend:my-circles")
    assert _standing(hidden, taro).is_active


def test_an_invited_resident_declines_and_the_circle_is_hidden_again(
    hidden, hanako, taro, signed_in_page
):
    services.circle_invite(actor=hanako, circle_id=hidden.pk, resident_id=taro.pk)
    client = signed_in_page(taro)
    assert "Accept the invitation" in _page(client.get(_url("frontend:circle", hidden)))

    response = client.post(_url("frontend:circle-leave", hidden), {"kind": "decline"})
    assert response["Location"] == reverse("frontend:my-circles")
    assert _standing(hidden, taro) is None
    assert "The invitation is declined." in _page(client.get(response["Location"]))
    assert client.get(_url("frontend:circle", hidden)).status_code == 404


def test_a_member_leaves(circle, taro, signed_in_page):
    add_member(circle, taro)
    client = signed_in_page(taro)
    response = client.post(_url("frontend:circle-leave", circle))
    assert response["Location"] == reverse("frontend:my-circles")
    assert _standing(circle, taro).status == Status.LEFT
    assert not RoomMember.objects.filter(room=circle.room, resident=taro).exists()
    assert "You have left the circle." in _page(client.get(response["Location"]))


def test_the_organiser_cannot_leave_without_naming_a_successor(
    circle, hanako, taro, signed_in_page
):
    add_member(circle, taro)
    client = signed_in_page(hanako)
    page = _page(client.get(_url("frontend:circle", circle)))
    assert "Who organises the circle after you?" in page

    response = client.post(_url("frontend:circle-leave", circle), {"successor": ""})
    assert response.status_code == 409
    assert "Name a successor before you leave, or close the circle." in _page(response)
    assert organiser_of(circle) == hanako
    assert _standing(circle, hanako).is_active


def test_the_organiser_leaves_by_handing_the_role_on(circle, hanako, taro, signed_in_page):
    add_member(circle, taro)
    response = signed_in_page(hanako).post(
        _url("frontend:circle-leave", circle), {"successor": taro.pk}
    )
    assert response.status_code == 302
    assert organiser_of(circle) == taro
    assert _standing(circle, hanako).status == Status.LEFT


def test_an_organiser_alone_is_told_to_close_the_circle_first(circle, hanako, signed_in_page):
    page = _page(signed_in_page(hanako).get(_url("frontend:circle", circle)))
    assert "To leave, first hand the organiser role on" in page
    assert _url("frontend:circle-close", circle) in page


def test_the_successor_must_be_a_member(circle, hanako, taro, jiro, signed_in_page):
    add_member(circle, taro)
    response = signed_in_page(hanako).post(
        _url("frontend:circle-leave", circle), {"successor": jiro.pk}
    )
    assert response.status_code == 400
    assert "Choose another member of the circle." in _page(response)
    assert organiser_of(circle) == hanako


# --- Children, through a guardian -------------------------------------------------------------


@pytest.fixture
def family():
    guardian = _resident("田中 母")
    child = ChildFactory(name="田中 ゆき", given_name="ゆき", language="en")
    GuardianLinkFactory(guardian=guardian, child=child)
    return guardian, child


@pytest.fixture
def kids_circle(chuo):
    leader = _vetted(_resident("指導 者"))
    return make_circle(
        organiser=leader, name="Young readers", district_id=chuo.pk, for_children=True
    )


def test_an_adult_asks_to_join_an_open_circle_for_children(kids_circle, taro, signed_in_page):
    client = signed_in_page(taro)
    page = _page(client.get(_url("frontend:circle", kids_circle)))
    assert "an adult may ask to join only with a current vetting check" in page
    # Without a vetting record the service would refuse: no button is offered (circle_abilities).
    assert "Ask to join" not in page

    refused = client.post(_url("frontend:circle-join", kids_circle))
    assert refused.status_code == 403
    assert "an adult takes part only with a current vetting record" in _page(refused)
    assert _standing(kids_circle, taro) is None

    _vetted(taro)
    assert "Ask to join" in _page(client.get(_url("frontend:circle", kids_circle)))
    client.post(_url("frontend:circle-join", kids_circle))

    assert _standing(kids_circle, taro).status == Status.REQUESTED
    assert "You asked to join." in _page(client.get(_url("frontend:circle", kids_circle)))


def test_a_guardian_joins_their_child_who_shows_by_given_name(
    kids_circle, family, taro, signed_in_page
):
    guardian, child = family
    client = signed_in_page(guardian)
    page = _page(client.get(_url("frontend:circle", kids_circle)))
    assert "Join with my child" in page
    assert "ゆき" in page

    client.post(_url("frontend:circle-join", kids_circle), {"resident": child.pk})
    assert _standing(kids_circle, child).is_active
    assert _standing(kids_circle, guardian) is None

    mine = _page(client.get(reverse("frontend:my-circles")))
    assert "ゆき is a member." in mine
    assert "Young readers" in mine

    add_member(kids_circle, _vetted(taro))
    members = _page(signed_in_page(taro).get(_url("frontend:circle-members", kids_circle)))
    assert "ゆき" in members
    assert "田中 ゆき" not in members


def test_a_guardian_reads_the_members_of_their_childs_circle(kids_circle, family, signed_in_page):
    guardian, child = family
    services.circle_join(actor=guardian, circle_id=kids_circle.pk, resident_id=child.pk)
    client = signed_in_page(guardian)
    assert client.get(_url("frontend:circle-members", kids_circle)).status_code == 200
    page = _page(client.get(_url("frontend:circle", kids_circle)))
    assert _url("frontend:circle-members", kids_circle) in page
    assert "Take out of the circle" in page


def test_a_guardian_cannot_join_a_child_to_a_circle_for_adults(circle, family, signed_in_page):
    guardian, child = family
    response = signed_in_page(guardian).post(
        _url("frontend:circle-join", circle), {"resident": child.pk}
    )
    assert response.status_code == 403
    assert "This circle is not open to children." in _page(response)
    assert _standing(circle, child) is None


def test_a_child_cannot_join_by_themselves(kids_circle, family, signed_in_page):
    _guardian, child = family
    client = signed_in_page(child)
    assert "To join this circle, ask your guardian." in _page(
        client.get(_url("frontend:circle", kids_circle))
    )
    response = client.post(_url("frontend:circle-join", kids_circle))
    assert response.status_code == 403
    assert _standing(kids_circle, child) is None


def test_a_child_is_offered_neither_to_start_a_circle_nor_to_teach(family, signed_in_page):
    guardian, child = family
    start = reverse("frontend:circle-new")
    teach = f'href="{reverse("frontend:teach")}"'
    for name in ("frontend:circles", "frontend:my-circles"):
        assert start in _page(signed_in_page(guardian).get(reverse(name)))
        assert start not in _page(signed_in_page(child).get(reverse(name)))
    assert teach in _page(signed_in_page(guardian).get(reverse("frontend:circles")))
    assert teach not in _page(signed_in_page(child).get(reverse("frontend:circles")))


def test_a_guardian_is_not_offered_a_ward_who_grew_up(kids_circle, family, signed_in_page):
    guardian, child = family
    grown = ChildFactory(name="田中 たかし", given_name="たかし")
    GuardianLinkFactory(guardian=guardian, child=grown)
    grown.birth_date = years_ago(19)  # the link stays, the childhood does not
    grown.save(update_fields=["birth_date"])

    page = _page(signed_in_page(guardian).get(_url("frontend:circle", kids_circle)))

    assert f'name="resident" value="{child.pk}"' in page
    assert f'name="resident" value="{grown.pk}"' not in page


def _make_moderator_button(name: str) -> str:
    return f'Make moderator<span class="visually-hidden"> {name}</span>'


def test_roles_and_the_organisers_role_are_offered_only_to_whom_the_rule_lets_lead(
    kids_circle, family, taro, jiro, signed_in_page
):
    guardian, child = family
    services.circle_join(actor=guardian, circle_id=kids_circle.pk, resident_id=child.pk)
    add_member(kids_circle, _vetted(taro))
    add_member(kids_circle, _vetted(jiro))
    expire_vetting(jiro)
    client = signed_in_page(organiser_of(kids_circle))

    page = _page(client.get(_url("frontend:circle-members", kids_circle)))
    circle_page = _page(client.get(_url("frontend:circle", kids_circle)))

    assert _make_moderator_button("佐藤 太郎") in page
    assert _make_moderator_button("鈴木 次郎") not in page  # their vetting ran out
    assert _make_moderator_button("ゆき") not in page  # a child
    for successors in (page, circle_page):
        assert f'<option value="{taro.pk}">佐藤 太郎</option>' in successors
        assert f'<option value="{jiro.pk}">' not in successors
        assert f'<option value="{child.pk}">' not in successors
    refused = client.post(
        _url("frontend:circle-role-set", kids_circle, resident_id=jiro.pk), {"role": "moderator"}
    )
    assert refused.status_code == 403


def test_a_request_whose_askers_vetting_ran_out_may_be_declined_not_approved(
    kids_circle, taro, signed_in_page
):
    services.circle_join(actor=_vetted(taro), circle_id=kids_circle.pk)
    expire_vetting(taro)

    page = _page(
        signed_in_page(organiser_of(kids_circle)).get(_url("frontend:circle-members", kids_circle))
    )

    assert 'Approve<span class="visually-hidden"> 佐藤 太郎</span>' not in page
    assert 'Decline<span class="visually-hidden"> 佐藤 太郎</span>' in page
    assert "an adult takes part only with a current vetting record" in page


def test_a_plain_member_sees_no_controls_over_others_on_the_members_page(
    circle, taro, jiro, signed_in_page
):
    add_member(circle, taro)
    add_member(circle, jiro)

    page = _page(signed_in_page(taro).get(_url("frontend:circle-members", circle)))

    for control in ("Make moderator", "Remove", "Ban", "Asking to join", "Hand on the"):
        assert control not in page


def test_the_members_page_counts_the_same_queries_for_more_members(
    kids_circle, family, signed_in_page
):
    """Guards the N+1 of what the organiser may do to each member (vetting, guardianship)."""
    guardian, child = family
    services.circle_join(actor=guardian, circle_id=kids_circle.pk, resident_id=child.pk)
    client = signed_in_page(organiser_of(kids_circle))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url("frontend:circle-members", kids_circle)).status_code == 200
        return len(captured)

    add_member(kids_circle, _vetted(ResidentFactory()))
    few = queries()
    for _ in range(6):
        add_member(kids_circle, _vetted(ResidentFactory()))
    assert queries() == few


# --- Editing, the picture, closing ------------------------------------------------------------


def test_the_organiser_changes_the_details(circle, hanako, chuo, signed_in_page):
    client = signed_in_page(hanako)
    form = _page(client.get(_url("frontend:circle-edit", circle)))
    assert 'value="Calligraphy friends"' in form
    assert 'enctype="multipart/form-data"' in form

    response = client.post(
        _url("frontend:circle-edit", circle),
        {
            "name": "Brush friends",
            "name_kana": "ふでなかま",
            "description": "Now on Sundays.",
            "district": str(chuo.pk),
            "visibility": "moderated",
            "topics": ["arts", "history"],
        },
    )
    assert response["Location"] == _url("frontend:circle", circle)
    circle.refresh_from_db()
    assert circle.name == "Brush friends"
    assert circle.visibility == Circle.Visibility.MODERATED
    assert set(circle.topics.values_list("topic", flat=True)) == {"arts", "history"}


def test_a_moderator_may_not_change_the_details(circle, hanako, taro, chuo, signed_in_page):
    add_member(circle, taro)
    services.circle_role_set(
        actor=hanako, circle_id=circle.pk, resident_id=taro.pk, role=Role.MODERATOR
    )
    client = signed_in_page(taro)
    assert "Only the organiser changes" in _page(client.get(_url("frontend:circle-edit", circle)))

    response = client.post(
        _url("frontend:circle-edit", circle),
        {
            "name": "Taken over",
            "name_kana": "のっとり",
            "district": str(chuo.pk),
            "visibility": "open",
            "topics": ["arts"],
        },
    )
    assert response.status_code == 403
    assert "Only the organiser changes the circle&#x27;s details." in _page(response)
    circle.refresh_from_db()
    assert circle.name == "Calligraphy friends"


def test_the_picture_is_uploaded_shown_and_removed(circle, hanako, taro, signed_in_page):
    client = signed_in_page(hanako)
    assert client.get(_url("frontend:circle-picture", circle)).status_code == 404

    response = client.post(
        _url("frontend:circle-picture-set", circle),
        {"picture": SimpleUploadedFile("me.png", _png(), content_type="image/png")},
    )
    assert response["Location"] == _url("frontend:circle-edit", circle)
    circle.refresh_from_db()
    assert circle.picture

    picture = signed_in_page(taro).get(_url("frontend:circle-picture", circle))
    assert picture.status_code == 200
    assert picture["Content-Type"] in ("image/jpeg", "image/png")
    assert _url("frontend:circle-picture", circle) in _page(
        signed_in_page(taro).get(_url("frontend:circle", circle))
    )

    client.post(_url("frontend:circle-picture-remove", circle))
    circle.refresh_from_db()
    assert not circle.picture


def test_an_upload_that_is_not_a_picture_is_refused(circle, hanako, signed_in_page):
    response = signed_in_page(hanako).post(
        _url("frontend:circle-picture-set", circle),
        {"picture": SimpleUploadedFile("notes.png", b"not a picture", content_type="image/png")},
    )
    assert response.status_code == 400
    assert "Please choose a photo in JPEG, PNG, WebP or GIF format." in _page(response)
    circle.refresh_from_db()
    assert not circle.picture


def test_closing_needs_the_confirmation_box(circle, hanako, signed_in_page):
    client = signed_in_page(hanako)
    assert "Yes, close this circle" in _page(client.get(_url("frontend:circle-close", circle)))

    unconfirmed = client.post(_url("frontend:circle-close", circle))
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in _page(unconfirmed)
    circle.refresh_from_db()
    assert circle.closed_at is None

    response = client.post(_url("frontend:circle-close", circle), {"confirm": "on"})
    assert response["Location"] == _url("frontend:circle", circle)
    circle.refresh_from_db()
    assert circle.closed_at is not None
    assert "This circle is closed." in _page(client.get(response["Location"]))


def test_a_moderator_cannot_close_the_circle(circle, hanako, taro, signed_in_page):
    add_member(circle, taro)
    services.circle_role_set(
        actor=hanako, circle_id=circle.pk, resident_id=taro.pk, role=Role.MODERATOR
    )
    response = signed_in_page(taro).post(_url("frontend:circle-close", circle), {"confirm": "on"})
    assert response.status_code == 403
    assert "Only the organiser may close the circle." in _page(response)
    circle.refresh_from_db()
    assert circle.closed_at is None


def test_nobody_joins_a_closed_circle(circle, hanako, taro, signed_in_page):
    services.circle_close(actor=hanako, circle_id=circle.pk)
    response = signed_in_page(taro).post(_url("frontend:circle-join", circle))
    assert response.status_code == 409
    assert "This circle is closed." in _page(response)
    assert _standing(circle, taro) is None


# --- The members page -------------------------------------------------------------------------


def test_the_organiser_approves_and_declines_requests(
    moderated, hanako, taro, jiro, signed_in_page
):
    services.circle_join(actor=taro, circle_id=moderated.pk)
    services.circle_join(actor=jiro, circle_id=moderated.pk)
    client = signed_in_page(hanako)
    page = _page(client.get(_url("frontend:circle-members", moderated)))
    assert "Asking to join" in page
    assert "佐藤 太郎" in page
    assert "鈴木 次郎" in page

    approved = client.post(
        _url("frontend:circle-request-decide", moderated, resident_id=taro.pk),
        {"decision": "approve"},
    )
    assert approved["Location"] == _url("frontend:circle-members", moderated)
    assert _standing(moderated, taro).is_active

    client.post(
        _url("frontend:circle-request-decide", moderated, resident_id=jiro.pk),
        {"decision": "decline"},
    )
    assert _standing(moderated, jiro) is None


def test_deciding_a_request_that_is_not_there_shows_the_refusal(
    moderated, hanako, taro, signed_in_page
):
    response = signed_in_page(hanako).post(
        _url("frontend:circle-request-decide", moderated, resident_id=taro.pk),
        {"decision": "approve"},
    )
    assert response.status_code == 404
    assert "No such member." in _page(response)
    assert _standing(moderated, taro) is None


def test_the_organiser_invites_by_resident_number(hidden, hanako, taro, signed_in_page):
    client = signed_in_page(hanako)
    response = client.post(_url("frontend:circle-invite", hidden), {"resident_number": taro.pk})
    assert response.status_code == 302
    assert _standing(hidden, taro).status == Status.INVITED
    page = _page(client.get(_url("frontend:circle-members", hidden)))
    assert "The invitation is sent." in page
    assert "Withdraw the invitation" in page

    client.post(_url("frontend:circle-member-remove", hidden, resident_id=taro.pk))
    assert _standing(hidden, taro) is None


def test_inviting_an_unknown_number_or_a_child_changes_nothing(
    hidden, hanako, family, signed_in_page
):
    _guardian, child = family
    client = signed_in_page(hanako)

    unknown = client.post(_url("frontend:circle-invite", hidden), {"resident_number": 999999})
    assert unknown.status_code == 404
    assert "No such resident." in _page(unknown)

    # A child's number answers like an unknown one: numbers do not tell who is a child.
    response = client.post(_url("frontend:circle-invite", hidden), {"resident_number": child.pk})
    assert response.status_code == 404
    assert "No such resident." in _page(response)
    assert _standing(hidden, child) is None

    empty = client.post(_url("frontend:circle-invite", hidden), {"resident_number": ""})
    assert empty.status_code == 400
    assert CircleMember.objects.filter(circle=hidden).count() == 1


def test_the_organiser_removes_bans_and_unbans(circle, hanako, taro, jiro, signed_in_page):
    add_member(circle, taro)
    add_member(circle, jiro)
    client = signed_in_page(hanako)

    client.post(_url("frontend:circle-member-remove", circle, resident_id=taro.pk))
    assert _standing(circle, taro).status == Status.LEFT

    client.post(_url("frontend:circle-member-remove", circle, resident_id=jiro.pk), {"ban": "1"})
    assert _standing(circle, jiro).status == Status.BANNED
    page = _page(client.get(_url("frontend:circle-members", circle)))
    assert "Unban" in page

    client.post(_url("frontend:circle-unban", circle, resident_id=jiro.pk))
    assert _standing(circle, jiro) is None


def test_the_organiser_cannot_be_removed(circle, hanako, taro, signed_in_page):
    add_member(circle, taro)
    services.circle_role_set(
        actor=hanako, circle_id=circle.pk, resident_id=taro.pk, role=Role.MODERATOR
    )
    response = signed_in_page(taro).post(
        _url("frontend:circle-member-remove", circle, resident_id=hanako.pk), {"ban": "1"}
    )
    assert response.status_code == 403
    assert "The organiser cannot be removed." in _page(response)
    assert _standing(circle, hanako).role == Role.ORGANISER


def test_the_organiser_gives_roles_and_hands_on_the_organiser_role(
    circle, hanako, taro, signed_in_page
):
    add_member(circle, taro)
    client = signed_in_page(hanako)
    page = _page(client.get(_url("frontend:circle-members", circle)))
    assert "Make moderator" in page
    assert "Hand on the organiser role" in page

    client.post(
        _url("frontend:circle-role-set", circle, resident_id=taro.pk), {"role": "moderator"}
    )
    assert _standing(circle, taro).role == Role.MODERATOR
    client.post(_url("frontend:circle-role-set", circle, resident_id=taro.pk), {"role": "member"})
    assert _standing(circle, taro).role == Role.MEMBER

    response = client.post(_url("frontend:circle-hand-on", circle), {"successor": taro.pk})
    assert response["Location"] == _url("frontend:circle-members", circle)
    assert organiser_of(circle) == taro
    assert _standing(circle, hanako).role == Role.MODERATOR


def test_handing_on_to_nobody_is_refused(circle, hanako, signed_in_page):
    response = signed_in_page(hanako).post(
        _url("frontend:circle-hand-on", circle), {"successor": ""}
    )
    assert response.status_code == 400
    assert organiser_of(circle) == hanako


def test_the_members_page_lists_the_organiser_first(circle, hanako, taro, signed_in_page):
    add_member(circle, taro)
    page = _page(signed_in_page(taro).get(_url("frontend:circle-members", circle)))
    assert page.index("山田 花子") < page.index("佐藤 太郎")


# --- City staff -------------------------------------------------------------------------------


def test_the_survival_figure_is_for_city_staff_only(taro, signed_in_page):
    response = signed_in_page(taro).get(reverse("frontend:staff-circles"))
    assert response.status_code == 403


def test_city_staff_see_how_many_course_circles_live_on(city_staff, signed_in_page):
    ended = timezone.now() - timedelta(weeks=20)
    lively, quiet = OfferingFactory(), OfferingFactory()
    for offering in (lively, quiet):
        services.circle_for_offering(offering_id=offering.pk)
        type(offering).objects.filter(pk=offering.pk).update(last_session_ends_at=ended)
    CircleEvent.objects.create(
        circle=Circle.objects.get(offering=lively),
        title="Reunion",
        place="Cafe",
        starts_at=timezone.now() - timedelta(weeks=2),
        ends_at=timezone.now() - timedelta(weeks=2) + timedelta(hours=2),
    )
    client = signed_in_page(city_staff)

    page = _page(client.get(reverse("frontend:staff-circles")))
    assert "8 weeks after the course" in page
    assert "<dd>2</dd>" in page
    assert "<dd>1</dd>" in page
    assert "50%" in page
    assert f'href="{reverse("frontend:staff-circles")}"' in _page(
        client.get(reverse("frontend:staff-home"))
    )

    later = _page(client.get(reverse("frontend:staff-circles"), {"weeks": "19"}))
    assert "19 weeks after the course" in later
    assert "0%" in later

    assert client.get(reverse("frontend:staff-circles"), {"weeks": "0"}).status_code == 400


def test_a_staff_figure_with_no_course_circles_says_so(city_staff, signed_in_page):
    page = _page(signed_in_page(city_staff).get(reverse("frontend:staff-circles")))
    assert "No course circle is old enough yet." in page
