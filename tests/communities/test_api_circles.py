"""The circles REST API: the directory, one's own circles, a circle's page, picture and closing,
the city's survival figure, and who may reach which route at all.

Membership, discussions, events and resources have their own ``test_api_*.py`` files.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campus_social.search import services as search_services
from communities import services
from communities.models import Circle, CircleEvent, CircleTopic, Thread
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.courses.factories import LecturerFactory, OfferingFactory, VettingRecordFactory
from tests.factories import ChildFactory, DistrictFactory, GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db

CIRCLE = "/api/v1/circles/1/"
THREAD = CIRCLE + "threads/1/"
EVENT = CIRCLE + "events/1/"


def iso(moment) -> str:
    """As the API writes datetimes: ISO 8601 in the city's time zone."""
    return timezone.localtime(moment).isoformat()


def jpeg_with_gps() -> bytes:
    """A photo whose EXIF says where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (35.0, 41.0, 0.0), 3: "E", 4: (139.0, 46.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def picture_file(data: bytes | None = None, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or jpeg_with_gps(), content_type="image/jpeg")


def vetted_adult():
    lecturer = LecturerFactory()
    VettingRecordFactory(lecturer=lecturer)
    return lecturer.resident


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- Nobody unsigned, and nothing hidden -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/circles/"),
        ("post", "/api/v1/circles/"),
        ("get", "/api/v1/circles/mine/"),
        ("get", "/api/v1/circles/survival/"),
        ("get", CIRCLE),
        ("patch", CIRCLE),
        ("post", CIRCLE + "close/"),
        ("get", CIRCLE + "picture/"),
        ("put", CIRCLE + "picture/"),
        ("delete", CIRCLE + "picture/"),
        ("post", CIRCLE + "join/"),
        ("post", CIRCLE + "leave/"),
        ("get", CIRCLE + "members/"),
        ("patch", CIRCLE + "members/1/"),
        ("delete", CIRCLE + "members/1/"),
        ("post", CIRCLE + "members/1/ban/"),
        ("delete", CIRCLE + "bans/1/"),
        ("get", CIRCLE + "pending/"),
        ("post", CIRCLE + "invitations/"),
        ("post", CIRCLE + "requests/1/"),
        ("post", CIRCLE + "organiser/"),
        ("get", CIRCLE + "threads/"),
        ("post", CIRCLE + "threads/"),
        ("get", THREAD),
        ("patch", THREAD),
        ("delete", THREAD),
        ("post", THREAD + "replies/"),
        ("patch", THREAD + "replies/1/"),
        ("delete", THREAD + "replies/1/"),
        ("get", CIRCLE + "events/"),
        ("post", CIRCLE + "events/"),
        ("get", CIRCLE + "events.ics"),
        ("get", EVENT),
        ("patch", EVENT),
        ("post", EVENT + "cancel/"),
        ("put", EVENT + "rsvp/"),
        ("get", EVENT + "event.ics"),
        ("get", CIRCLE + "resources/"),
        ("post", CIRCLE + "resources/"),
        ("delete", CIRCLE + "resources/1/"),
        ("get", CIRCLE + "resources/1/file"),
    ],
)
def test_anonymous_callers_get_401_on_every_circles_route(api_client, method, path):
    make_circle()

    response = getattr(api_client, method)(path, {}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


# --- The directory -------------------------------------------------------------------------------


def test_the_directory_lists_a_circle_with_its_figures_and_my_standing(signed_in):
    district = DistrictFactory(slug="minato", name="港地区")
    circle = make_circle(district_id=district.pk, topics=["arts", "crafts"])
    reader = add_member(circle)
    add_member(circle)

    response = signed_in(reader).get("/api/v1/circles/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": circle.pk,
            "name": "書道の輪",
            "name_kana": "しょどうのわ",
            "description": "月に一度、公民館で書きます。",
            "district": {"slug": "minato", "name": "港地区"},
            "topics": ["arts", "crafts"],
            "visibility": "open",
            "for_children": False,
            "member_count": 3,
            "last_met_at": None,
            "last_talked_at": None,
            "born_from_offering": None,
            "closed_at": None,
            "has_picture": False,
            "my_status": "active",
        }
    ]


def test_the_directory_shows_when_a_circle_last_met_and_talked(signed_in):
    circle = make_circle()
    member = add_member(circle)
    thread = services.thread_create(actor=member, circle_id=circle.pk, title="題", body="本文")
    met = timezone.now() - timedelta(days=2)
    CircleEvent.objects.create(
        circle=circle, title="例会", place="公民館", starts_at=met, ends_at=met + timedelta(hours=1)
    )

    (item,) = signed_in(ResidentFactory()).get("/api/v1/circles/").json()["results"]

    assert item["last_met_at"] == iso(met)
    assert item["last_talked_at"] == iso(thread.created_at)
    assert item["my_status"] is None


def test_invite_only_and_closed_circles_stay_out_of_the_directory_for_outsiders(signed_in):
    shown = make_circle(name="公開の輪")
    hidden = make_circle(name="招待の輪", visibility=Circle.Visibility.INVITE_ONLY)
    closed = make_circle(name="閉じた輪")
    services.circle_close(actor=organiser_of(closed), circle_id=closed.pk)
    invited = ResidentFactory()
    services.circle_invite(actor=organiser_of(hidden), circle_id=hidden.pk, resident_id=invited.pk)

    def listed(resident):
        results = signed_in(resident).get("/api/v1/circles/").json()["results"]
        return {item["id"]: item["my_status"] for item in results}

    assert listed(ResidentFactory()) == {shown.pk: None}
    assert listed(invited) == {shown.pk: None, hidden.pk: "invited"}


def test_a_banned_resident_sees_their_standing_in_the_directory(signed_in):
    circle = make_circle()
    banned = add_member(circle)
    services.circle_member_remove(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=banned.pk, ban=True
    )

    (item,) = signed_in(banned).get("/api/v1/circles/").json()["results"]

    assert item["my_status"] == "banned"


def test_the_directory_is_filtered_by_topic_district_activity_children_and_words(signed_in):
    district = DistrictFactory(slug="aoba")
    wanted = make_circle(
        name="スマホの輪",
        name_kana="すまほのわ",
        district_id=district.pk,
        topics=["computing"],
        organiser=vetted_adult(),
        for_children=True,
    )
    services.thread_create(actor=organiser_of(wanted), circle_id=wanted.pk, title="題", body="本文")
    make_circle(topics=["arts"])
    quiet = make_circle(topics=["computing"])
    Circle.objects.filter(pk=quiet.pk).update(last_posted_at=timezone.now() - timedelta(days=40))
    search_services.rebuild()  # words are found through the search index
    client = signed_in(ResidentFactory())

    def found(**params):
        response = client.get("/api/v1/circles/", params)
        assert response.status_code == 200
        return [item["id"] for item in response.json()["results"]]

    assert set(found(topic="computing")) == {wanted.pk, quiet.pk}
    assert found(district="aoba") == [wanted.pk]
    assert found(active_within_days=30) == [wanted.pk]
    assert set(found(active_within_days=60)) == {wanted.pk, quiet.pk}
    assert found(for_children="true") == [wanted.pk]
    assert wanted.pk not in found(for_children="false")
    assert found(q="すまほのわ") == [wanted.pk]
    assert found(q="スマホノワ") == [wanted.pk]
    # The other circle about computers and phones (パソコン・スマホ) is found by the word too.
    assert set(found(q="スマホ")) == {wanted.pk, quiet.pk}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"topic": "astrology"}, "topic"),
        ({"active_within_days": "0"}, "active_within_days"),
        ({"active_within_days": "366"}, "active_within_days"),
        ({"active_within_days": "soon"}, "active_within_days"),
        ({"for_children": "perhaps"}, "for_children"),
        ({"district": "not a slug!"}, "district"),
    ],
)
def test_a_bad_directory_filter_answers_400_naming_it(params, field, signed_in):
    response = signed_in(ResidentFactory()).get("/api/v1/circles/", params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert list(body["fields"]) == [field]


def test_a_child_finds_only_circles_open_to_children(signed_in):
    for_children = make_circle(organiser=vetted_adult(), for_children=True)
    make_circle()

    results = signed_in(ChildFactory()).get("/api/v1/circles/").json()["results"]

    assert [item["id"] for item in results] == [for_children.pk]


@pytest.mark.parametrize("rows", [3, 13])
def test_the_directory_costs_the_same_queries_however_many_circles(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each circle's district, topics, member count, liveliness or my
    standing per row."""
    reader = ResidentFactory()
    for n in range(rows):
        circle = make_circle(topics=["arts", "music"])
        add_member(circle)
        if n % 2:
            add_member(circle, reader)
        services.thread_create(actor=organiser_of(circle), circle_id=circle.pk, title="t", body="b")
    client = signed_in(reader)

    # session, resident, count, page, topics, my standings
    with django_assert_num_queries(6):
        response = client.get("/api/v1/circles/", {"page_size": 100})

    results = response.json()["results"]
    assert len(results) == rows
    assert all(item["member_count"] >= 2 and item["topics"] for item in results)


# --- Creating and changing a circle --------------------------------------------------------------


def test_a_resident_creates_a_circle_and_becomes_its_organiser(signed_in):
    founder = ResidentFactory()
    district = DistrictFactory(slug="kawara")

    response = signed_in(founder).post(
        "/api/v1/circles/",
        {
            "name": "朝のウォーキングの会",
            "name_kana": "あさのうぉーきんぐのかい",
            "description": "川沿いを歩きます。",
            "district_id": district.pk,
            "visibility": "moderated",
            "topics": ["health", "nature"],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    circle = Circle.objects.get(pk=body["id"])
    assert (circle.name, circle.visibility, circle.district) == (
        "朝のウォーキングの会",
        "moderated",
        district,
    )
    assert sorted(CircleTopic.objects.filter(circle=circle).values_list("topic", flat=True)) == [
        "health",
        "nature",
    ]
    assert organiser_of(circle) == founder
    assert (body["my_status"], body["my_role"], body["member_count"]) == ("active", "organiser", 1)
    assert body["room"] == circle.room_id
    assert body["topics"] == ["health", "nature"]


def test_a_new_circle_without_its_required_fields_answers_400_naming_them(signed_in):
    client = signed_in(ResidentFactory())
    response = client.post(
        "/api/v1/circles/",
        {"name": "", "name_kana": " ", "district_id": 999999, "topics": []},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # Which districts exist is asked once the rest is well formed.
    unknown_district = client.post(
        "/api/v1/circles/",
        {"name": "囲碁", "name_kana": "いご", "district_id": 999999, "topics": ["other"]},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"name", "name_kana", "topics"} <= set(body["fields"])
    assert body["fields"]["topics"] == ["Choose at least one topic."]
    assert unknown_district.status_code == 400
    assert set(unknown_district.json()["fields"]) == {"district_id"}
    assert not Circle.objects.exists()


def test_a_circle_open_to_children_needs_a_vetted_organiser(signed_in):
    district = DistrictFactory()
    values = {
        "name": "親子将棋",
        "name_kana": "おやこしょうぎ",
        "district_id": district.pk,
        "topics": ["other"],
        "for_children": True,
    }

    refused = signed_in(ResidentFactory()).post("/api/v1/circles/", values, format="json")
    accepted = signed_in(vetted_adult()).post("/api/v1/circles/", values, format="json")

    assert refused.status_code == 403
    assert refused.json()["code"] == "vetting_required"
    assert accepted.status_code == 201
    assert Circle.objects.get().for_children


def test_a_child_cannot_create_a_circle(signed_in):
    response = signed_in(ChildFactory()).post(
        "/api/v1/circles/",
        {"name": "a", "name_kana": "あ", "district_id": DistrictFactory().pk, "topics": ["arts"]},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "guardian_required"
    assert not Circle.objects.exists()


def test_a_circle_page_shows_my_role_its_offering_and_its_chat_room_to_members(signed_in):
    offering = OfferingFactory()
    circle = services.circle_for_offering(offering_id=offering.pk)
    lecturer = offering.course.owner.resident

    as_organiser = signed_in(lecturer).get(f"/api/v1/circles/{circle.pk}/").json()
    as_outsider = signed_in(ResidentFactory()).get(f"/api/v1/circles/{circle.pk}/").json()

    assert as_organiser["born_from_offering"] == offering.pk
    assert (as_organiser["my_status"], as_organiser["my_role"]) == ("active", "organiser")
    assert as_organiser["room"] == circle.room_id
    assert as_organiser["visibility"] == "moderated"
    assert as_outsider["born_from_offering"] == offering.pk
    assert (as_outsider["my_status"], as_outsider["my_role"], as_outsider["room"]) == (
        None,
        None,
        None,
    )


def test_an_unknown_circle_answers_404(signed_in):
    response = signed_in(ResidentFactory()).get("/api/v1/circles/999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_organiser_changes_the_circles_details(signed_in):
    circle = make_circle()

    response = signed_in(organiser_of(circle)).patch(
        f"/api/v1/circles/{circle.pk}/",
        {"description": "毎週に変わりました。", "topics": ["music"], "visibility": "moderated"},
        format="json",
    )

    assert response.status_code == 200, response.content
    circle.refresh_from_db()
    assert (circle.name, circle.description, circle.visibility) == (
        "書道の輪",
        "毎週に変わりました。",
        "moderated",
    )
    assert response.json()["topics"] == ["music"]


def test_a_member_cannot_change_the_circles_details(signed_in):
    circle = make_circle()

    response = signed_in(add_member(circle)).patch(
        f"/api/v1/circles/{circle.pk}/", {"name": "乗っ取り"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_a_moderator"
    circle.refresh_from_db()
    assert circle.name == "書道の輪"


def test_a_bad_change_answers_400_and_changes_nothing(signed_in):
    circle = make_circle()

    response = signed_in(organiser_of(circle)).patch(
        f"/api/v1/circles/{circle.pk}/", {"name": "", "visibility": "secret"}, format="json"
    )

    assert response.status_code == 400
    assert {"name", "visibility"} <= set(response.json()["fields"])
    circle.refresh_from_db()
    assert (circle.name, circle.visibility) == ("書道の輪", "open")


def test_the_organiser_closes_the_circle_and_nobody_joins_it_after(signed_in):
    circle = make_circle()
    member = add_member(circle)

    refused = signed_in(member).post(f"/api/v1/circles/{circle.pk}/close/")
    response = signed_in(organiser_of(circle)).post(f"/api/v1/circles/{circle.pk}/close/")
    joining = signed_in(ResidentFactory()).post(f"/api/v1/circles/{circle.pk}/join/")

    assert refused.status_code == 403
    assert response.status_code == 200
    circle.refresh_from_db()
    assert circle.closed_at is not None
    assert response.json()["closed_at"] == iso(circle.closed_at)
    assert joining.status_code == 409
    assert joining.json()["code"] == "closed"
    # Its members still read it.
    assert signed_in(member).get(f"/api/v1/circles/{circle.pk}/").status_code == 200


# --- The picture ---------------------------------------------------------------------------------


def test_a_circles_picture_is_stored_without_its_exif_and_shown_to_whoever_sees_the_circle(
    media, signed_in
):
    circle = make_circle()
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the sender's GPS position

    response = signed_in(organiser_of(circle)).put(
        f"/api/v1/circles/{circle.pk}/picture/", {"picture": picture_file(data)}, format="multipart"
    )
    shown = signed_in(ResidentFactory()).get(f"/api/v1/circles/{circle.pk}/picture/")

    assert response.status_code == 200, response.content
    assert response.json()["has_picture"] is True
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    picture = Image.open(io.BytesIO(b"".join(shown.streaming_content)))
    assert picture.size == (40, 30)
    assert not picture.getexif()
    assert "exif" not in picture.info


def test_the_picture_is_removed_and_then_not_found(media, signed_in):
    circle = make_circle()
    organiser = signed_in(organiser_of(circle))
    organiser.put(
        f"/api/v1/circles/{circle.pk}/picture/", {"picture": picture_file()}, format="multipart"
    )

    removed = organiser.delete(f"/api/v1/circles/{circle.pk}/picture/")
    shown = organiser.get(f"/api/v1/circles/{circle.pk}/picture/")

    assert removed.status_code == 204
    circle.refresh_from_db()
    assert not circle.picture
    assert shown.status_code == 404
    assert shown.json()["code"] == "not_found"


def test_a_member_cannot_change_the_picture_and_a_non_image_is_refused(media, signed_in):
    circle = make_circle()
    member = add_member(circle)

    by_member = signed_in(member).put(
        f"/api/v1/circles/{circle.pk}/picture/", {"picture": picture_file()}, format="multipart"
    )
    not_an_image = signed_in(organiser_of(circle)).put(
        f"/api/v1/circles/{circle.pk}/picture/",
        {"picture": SimpleUploadedFile("p.jpg", b"<script>", content_type="image/jpeg")},
        format="multipart",
    )

    assert by_member.status_code == 403
    assert by_member.json()["code"] == "not_a_moderator"
    assert not_an_image.status_code == 400
    assert not_an_image.json()["code"] == "image_format"
    assert "picture" in not_an_image.json()["fields"]
    circle.refresh_from_db()
    assert not circle.picture
    assert not list(media.rglob("*.*"))


# --- My circles ------------------------------------------------------------------------------


def test_my_circles_list_my_standings_and_my_childs_by_given_name(signed_in):
    link = GuardianLinkFactory()
    guardian, child = link.guardian, link.child
    mine = make_circle(name="私の輪")
    add_member(mine, guardian)
    childs = make_circle(name="子どもの輪", organiser=vetted_adult(), for_children=True)
    services.circle_join(actor=guardian, circle_id=childs.pk, resident_id=child.pk)
    invited_to = make_circle(name="招待の輪", visibility=Circle.Visibility.INVITE_ONLY)
    services.circle_invite(
        actor=organiser_of(invited_to), circle_id=invited_to.pk, resident_id=guardian.pk
    )
    make_circle(name="他人の輪")

    response = signed_in(guardian).get("/api/v1/circles/mine/")

    assert response.status_code == 200
    by_circle = {entry["circle"]["id"]: entry for entry in response.json()}
    assert set(by_circle) == {mine.pk, childs.pk, invited_to.pk}
    assert by_circle[childs.pk]["resident_id"] == child.pk
    assert by_circle[childs.pk]["resident_name"] == child.given_name
    assert by_circle[invited_to.pk]["status"] == "invited"
    assert by_circle[mine.pk] == {
        "circle": {
            "id": mine.pk,
            "name": "私の輪",
            "name_kana": "しょどうのわ",
            "district": {"slug": mine.district.slug, "name": mine.district.name},
            "visibility": "open",
            "for_children": False,
            "closed_at": None,
        },
        "resident_id": guardian.pk,
        "resident_name": guardian.name,
        "status": "active",
        "role": "member",
    }


@pytest.mark.parametrize("rows", [3, 13])
def test_my_circles_cost_the_same_queries_however_many_there_are(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each standing's circle, district or resident per row."""
    link = GuardianLinkFactory()
    VettingRecordFactory(resident=link.guardian)  # to be a member of a circle for children
    for n in range(rows):
        circle = make_circle(organiser=vetted_adult(), for_children=True)
        if n % 2:
            services.circle_join(
                actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk
            )
        else:
            add_member(circle, link.guardian)
    client = signed_in(link.guardian)

    # session, resident, standings
    with django_assert_num_queries(3):
        response = client.get("/api/v1/circles/mine/")

    assert len(response.json()) == rows


# --- Do circles born from courses live on? -------------------------------------------------------


def _ended_course_circle(weeks_ago: int) -> Circle:
    end = timezone.now() - timedelta(weeks=weeks_ago)
    offering = OfferingFactory(
        sessions=[end - timedelta(weeks=1, hours=2), end - timedelta(hours=2)],
        enrolment_opens_at=end - timedelta(weeks=4),
        enrolment_closes_at=end - timedelta(weeks=2),
    )
    circle = services.circle_for_offering(offering_id=offering.pk)
    assert circle is not None
    return circle


def test_city_staff_read_how_many_course_circles_lived_on(staff_api):
    alive = _ended_course_circle(weeks_ago=10)
    Thread.objects.create(
        circle=alive,
        author=organiser_of(alive),
        title="まだ続けています",
        body="本文",
        created_at=timezone.now() - timedelta(weeks=1),
    )
    _ended_course_circle(weeks_ago=10)  # silent since
    _ended_course_circle(weeks_ago=3)  # too recent to count for eight weeks
    make_circle()  # not born from a course

    eight = staff_api.get("/api/v1/circles/survival/")
    two = staff_api.get("/api/v1/circles/survival/", {"weeks": 2})

    assert eight.status_code == 200
    assert eight.json() == {"weeks": 8, "ended": 2, "alive": 1, "share": 0.5}
    assert two.json() == {"weeks": 2, "ended": 3, "alive": 1, "share": pytest.approx(1 / 3)}


def test_the_survival_figure_is_for_city_staff_only(signed_in):
    response = signed_in(ResidentFactory()).get("/api/v1/circles/survival/")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("weeks", ["0", "105", "many"])
def test_a_bad_number_of_weeks_answers_400(staff_api, weeks):
    response = staff_api.get("/api/v1/circles/survival/", {"weeks": weeks})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["weeks"]


def test_a_circle_names_its_district_by_the_code_the_district_list_gives_as_offerings_do(signed_in):
    DistrictFactory(slug="kawara", name="川原地区")
    DistrictFactory(slug="kita", name="北地区")
    founder = signed_in(ResidentFactory())
    codes = {d["name"]: d["slug"] for d in founder.get("/api/v1/districts/").json()}

    created = founder.post(
        "/api/v1/circles/",
        {"name": "川辺の写生会", "name_kana": "かわべのしゃせいかい", "topics": ["arts"]}
        | {"district": codes["川原地区"]},
        format="json",
    )
    moved = founder.patch(
        f"/api/v1/circles/{created.json()['id']}/", {"district": codes["北地区"]}, format="json"
    )
    found = founder.get("/api/v1/circles/", {"district": "kita"}).json()["results"]

    assert created.status_code == 201, created.content
    assert created.json()["district"]["slug"] == "kawara"
    assert moved.status_code == 200, moved.content
    assert moved.json()["district"] == {"slug": "kita", "name": "北地区"}
    assert [c["id"] for c in found] == [created.json()["id"]]


def test_a_circle_with_an_unknown_or_no_district_code_answers_400_naming_district(signed_in):
    client = signed_in(ResidentFactory())
    values = {"name": "囲碁の会", "name_kana": "いごのかい", "topics": ["other"]}

    unknown = client.post("/api/v1/circles/", values | {"district": "nowhere"}, format="json")
    missing = client.post("/api/v1/circles/", values, format="json")

    assert (unknown.status_code, list(unknown.json()["fields"])) == (400, ["district"])
    assert (missing.status_code, list(missing.json()["fields"])) == (400, ["district"])
    assert not Circle.objects.exists()


def test_the_district_id_of_the_previous_release_is_still_accepted_and_the_code_wins_over_it(
    signed_in,
):
    """``district_id`` is deprecated (docs/api.md): accepted until the next release."""
    kawara, kita = DistrictFactory(slug="kawara"), DistrictFactory(slug="kita")
    client = signed_in(ResidentFactory())
    values = {"name": "囲碁の会", "name_kana": "いごのかい", "topics": ["other"]}

    by_id = client.post("/api/v1/circles/", values | {"district_id": kawara.pk}, format="json")
    both = client.post(
        "/api/v1/circles/",
        values | {"name": "将棋の会", "district_id": kawara.pk, "district": kita.slug},
        format="json",
    )

    assert by_id.json()["district"]["slug"] == "kawara"
    assert both.json()["district"]["slug"] == "kita"
