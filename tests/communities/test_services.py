"""The circle itself: creating it, changing its details and picture, closing it.

Who is in a circle is in ``test_membership.py``; discussions, events and shared resources have
their own files.
"""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from communities import selectors, services
from communities.models import Circle, CircleMember, CircleTopic
from messaging import services as messaging
from messaging.models import Room, RoomMember
from tests.communities.builders import (
    GPS_IFD,
    circle_for_children,
    guardian_with_child,
    jpeg_with_gps,
    pdf_bytes,
    standing,
    upload,
    vetted_adult,
)
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.courses.factories import LecturerFactory, VettingRecordFactory
from tests.factories import ChildFactory, DistrictFactory, ResidentFactory, make_city_staff

pytestmark = pytest.mark.django_db


def circle_values(**changes):
    values = {
        "name": "朝のウォーキングの会",
        "name_kana": "あさのうぉーきんぐのかい",
        "description": "川沿いを一時間ほど歩きます。",
        "district_id": DistrictFactory(slug="kawara").pk,
        "visibility": Circle.Visibility.OPEN,
        "topics": ["health", "nature"],
    }
    values.update(changes)
    return values


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# --- Creating --------------------------------------------------------------------------------------


def test_a_resident_creates_a_circle_and_organises_it_from_its_chat_room():
    founder = ResidentFactory()

    circle = services.circle_create(actor=founder, **circle_values())

    assert circle.name == "朝のウォーキングの会"
    assert circle.district.slug == "kawara"
    assert sorted(circle.topics.values_list("topic", flat=True)) == ["health", "nature"]
    assert not circle.for_children
    membership = standing(circle, founder)
    assert (membership.role, membership.status) == ("organiser", "active")
    assert circle.room.title == "朝のウォーキングの会"
    assert circle.room.subject_key == f"circle:{circle.pk}"  # made with it, reached through it
    assert RoomMember.objects.get(room=circle.room, resident=founder).role == "moderator"


def test_names_and_descriptions_are_stored_without_surrounding_spaces():
    circle = services.circle_create(
        actor=ResidentFactory(), **circle_values(name="  写真の会 ", name_kana=" しゃしんのかい")
    )
    assert (circle.name, circle.name_kana) == ("写真の会", "しゃしんのかい")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "輪" * 121}, "name"),
        ({"name": 42}, "name"),
        ({"name_kana": ""}, "name_kana"),
        ({"name_kana": "わ" * 241}, "name_kana"),
        ({"description": "長" * 5001}, "description"),
        ({"district_id": None}, "district_id"),
        ({"district_id": 999_999}, "district_id"),
        ({"district_id": "kawara"}, "district_id"),
        ({"visibility": "secret"}, "visibility"),
        ({"topics": []}, "topics"),
        ({"topics": ["astrology"]}, "topics"),
        ({"topics": "health"}, "topics"),
    ],
)
def test_a_circle_with_a_bad_field_is_refused_naming_the_field_and_nothing_is_made(changes, field):
    with pytest.raises(Invalid) as refused:
        services.circle_create(actor=ResidentFactory(), **circle_values(**changes))

    assert field in refused.value.fields
    assert not Circle.objects.exists()
    assert not Room.objects.exists()


def test_every_bad_field_is_named_at_once():
    with pytest.raises(Invalid) as refused:
        services.circle_create(
            actor=ResidentFactory(), **circle_values(name="", visibility="x", topics=[])
        )
    assert {"name", "visibility", "topics"} <= set(refused.value.fields)


def test_a_child_cannot_create_a_circle():
    with pytest.raises(Forbidden) as refused:
        services.circle_create(actor=ChildFactory(), **circle_values())

    assert refused.value.code == "guardian_required"
    assert not Circle.objects.exists()


def test_only_a_vetted_organiser_may_open_a_circle_to_children():
    with pytest.raises(Forbidden) as refused:
        services.circle_create(actor=ResidentFactory(), **circle_values(for_children=True))
    assert refused.value.code == "vetting_required"
    assert not Circle.objects.exists()

    circle = services.circle_create(actor=vetted_adult(), **circle_values(for_children=True))
    assert circle.for_children


def test_an_expired_vetting_record_does_not_qualify_an_organiser_for_children():
    lecturer = LecturerFactory()
    VettingRecordFactory(
        lecturer=lecturer,
        checked_on=timezone.localdate() - timedelta(days=800),
        expires_on=timezone.localdate() - timedelta(days=1),
    )

    with pytest.raises(Forbidden):
        services.circle_create(actor=lecturer.resident, **circle_values(for_children=True))
    assert not Circle.objects.exists()


# --- Changing the details --------------------------------------------------------------------------


def test_the_organiser_renames_the_circle_and_its_chat_room_follows():
    circle = make_circle()

    services.circle_update(
        actor=organiser_of(circle), circle_id=circle.pk, name="書道と茶話の会", description=""
    )

    circle.refresh_from_db()
    assert circle.name == "書道と茶話の会"
    assert circle.description == ""
    assert circle.name_kana == "しょどうのわ"  # untouched fields stay
    assert Room.objects.get(pk=circle.room_id).title == "書道と茶話の会"


def test_new_topics_replace_the_old_ones():
    circle = make_circle(topics=["arts", "history"])

    services.circle_update(
        actor=organiser_of(circle), circle_id=circle.pk, topics=["languages", "languages"]
    )

    assert list(CircleTopic.objects.filter(circle=circle).values_list("topic", flat=True)) == [
        "languages"
    ]


def test_a_bad_change_is_refused_and_the_circle_stays_as_it_was():
    circle = make_circle(topics=["arts"])

    with pytest.raises(Invalid) as refused:
        services.circle_update(
            actor=organiser_of(circle), circle_id=circle.pk, name="新しい名前", topics=["nope"]
        )

    assert "topics" in refused.value.fields
    circle.refresh_from_db()
    assert circle.name == "書道の輪"
    assert list(circle.topics.values_list("topic", flat=True)) == ["arts"]


def test_only_the_organiser_changes_the_details():
    circle = make_circle()
    moderator, member = add_member(circle), add_member(circle)
    services.circle_role_set(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=moderator.pk, role="moderator"
    )

    for actor in (moderator, member, ResidentFactory()):
        with pytest.raises(Forbidden):
            services.circle_update(actor=actor, circle_id=circle.pk, name="乗っ取り")
    circle.refresh_from_db()
    assert circle.name == "書道の輪"


def test_an_outsider_changing_an_invite_only_circle_finds_nothing():
    circle = make_circle(visibility=Circle.Visibility.INVITE_ONLY)

    with pytest.raises(NotFound):
        services.circle_update(actor=ResidentFactory(), circle_id=circle.pk, name="乗っ取り")


def test_a_circle_cannot_stop_being_for_children_while_children_are_in_it():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    with pytest.raises(Conflict) as refused:
        services.circle_update(
            actor=organiser_of(circle), circle_id=circle.pk, for_children=False, name="大人の会"
        )

    assert refused.value.code == "children_present"
    circle.refresh_from_db()
    assert circle.for_children
    assert circle.name == "書道の輪"


def test_a_circle_without_children_may_stop_being_for_children():
    circle = circle_for_children()

    services.circle_update(actor=organiser_of(circle), circle_id=circle.pk, for_children=False)

    circle.refresh_from_db()
    assert not circle.for_children


def test_an_unvetted_organiser_cannot_open_the_circle_to_children_later():
    circle = make_circle()

    with pytest.raises(Forbidden) as refused:
        services.circle_update(actor=organiser_of(circle), circle_id=circle.pk, for_children=True)

    assert refused.value.code == "vetting_required"
    circle.refresh_from_db()
    assert not circle.for_children


# --- The picture -----------------------------------------------------------------------------------


def test_the_circles_picture_is_stored_without_the_camera_or_the_place_it_was_taken(media):
    circle = make_circle()
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the GPS is there

    services.circle_picture_set(
        actor=organiser_of(circle),
        circle_id=circle.pk,
        upload=upload("IMG_0001_home.jpg", original, "image/jpeg"),
    )

    circle.refresh_from_db()
    assert "IMG_0001" not in circle.picture.name
    with default_storage.open(circle.picture.name) as stored:
        data = stored.read()
    picture = Image.open(io.BytesIO(data))
    assert picture.size == (64, 48)
    exif = picture.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert not dict(exif)
    assert b"PhoneMaker" not in data


def test_a_new_picture_replaces_the_old_file_once_the_change_is_committed(
    media, django_capture_on_commit_callbacks
):
    circle = make_circle()
    organiser = organiser_of(circle)
    services.circle_picture_set(
        actor=organiser, circle_id=circle.pk, upload=upload("a.jpg", jpeg_with_gps())
    )
    circle.refresh_from_db()
    first = circle.picture.name

    with django_capture_on_commit_callbacks(execute=True):
        services.circle_picture_set(
            actor=organiser, circle_id=circle.pk, upload=upload("b.jpg", jpeg_with_gps())
        )

    circle.refresh_from_db()
    assert circle.picture.name != first
    assert stored_files(media) == [circle.picture.name]


def test_a_picture_that_is_not_an_image_is_refused_and_the_old_one_stays(media):
    circle = make_circle()
    organiser = organiser_of(circle)
    services.circle_picture_set(
        actor=organiser, circle_id=circle.pk, upload=upload("a.jpg", jpeg_with_gps())
    )
    circle.refresh_from_db()
    before = circle.picture.name

    with pytest.raises(Invalid) as refused:
        services.circle_picture_set(
            actor=organiser, circle_id=circle.pk, upload=upload("photo.jpg", pdf_bytes())
        )

    assert "picture" in refused.value.fields
    circle.refresh_from_db()
    assert circle.picture.name == before
    assert stored_files(media) == [before]


def test_a_plain_member_cannot_change_the_picture(media):
    circle = make_circle()
    member = add_member(circle)

    with pytest.raises(Forbidden):
        services.circle_picture_set(
            actor=member, circle_id=circle.pk, upload=upload("a.jpg", jpeg_with_gps())
        )
    circle.refresh_from_db()
    assert not circle.picture
    assert stored_files(media) == []


def test_removing_the_picture_deletes_its_file_after_the_commit(
    media, django_capture_on_commit_callbacks
):
    circle = make_circle()
    organiser = organiser_of(circle)
    services.circle_picture_set(
        actor=organiser, circle_id=circle.pk, upload=upload("a.jpg", jpeg_with_gps())
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.circle_picture_remove(actor=organiser, circle_id=circle.pk)
    assert len(stored_files(media)) == 1  # still there until the commit
    for callback in callbacks:
        callback()

    circle.refresh_from_db()
    assert not circle.picture
    assert stored_files(media) == []


# --- Closing ---------------------------------------------------------------------------------------


def test_a_closed_circle_takes_nothing_new_and_its_chat_room_is_closed():
    circle = make_circle()
    organiser, member = organiser_of(circle), add_member(circle)
    thread = services.thread_create(actor=member, circle_id=circle.pk, title="前の話", body="…")

    services.circle_close(actor=organiser, circle_id=circle.pk)

    circle.refresh_from_db()
    assert circle.is_closed
    assert Room.objects.get(pk=circle.room_id).closed_at is not None
    with pytest.raises(Forbidden):
        messaging.message_send(
            room_id=circle.room_id, author=member, client_id=uuid.uuid4(), body="まだいますか"
        )
    with pytest.raises(Conflict) as refused:
        services.thread_create(actor=member, circle_id=circle.pk, title="新しい話", body="…")
    assert refused.value.code == "closed"
    with pytest.raises(Conflict):
        services.reply_create(actor=member, thread_id=thread.pk, body="…")
    with pytest.raises(Conflict):
        services.circle_join(actor=ResidentFactory(), circle_id=circle.pk)
    with pytest.raises(Conflict):
        services.event_create(
            actor=organiser,
            circle_id=circle.pk,
            title="再開",
            place="公民館",
            starts_at=timezone.now() + timedelta(days=3),
            ends_at=timezone.now() + timedelta(days=3, hours=1),
        )
    with pytest.raises(Conflict):
        services.resource_add_link(
            actor=member, circle_id=circle.pk, title="地図", url="https://example.com/"
        )
    # What was said stays readable to the members.
    assert list(selectors.thread_list(circle_id=circle.pk, actor=member)) == [thread]
    assert circle.threads.count() == 1


def test_city_staff_may_close_a_circle_they_do_not_belong_to():
    circle = make_circle()

    services.circle_close(actor=make_city_staff(), circle_id=circle.pk)

    circle.refresh_from_db()
    assert circle.is_closed


def test_city_staff_may_close_an_invite_only_circle_too():
    circle = make_circle(visibility=Circle.Visibility.INVITE_ONLY)

    services.circle_close(actor=make_city_staff(), circle_id=circle.pk)

    circle.refresh_from_db()
    assert circle.is_closed


def test_only_the_organiser_or_city_staff_close_a_circle():
    circle = make_circle()
    moderator, member = add_member(circle), add_member(circle)
    services.circle_role_set(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=moderator.pk, role="moderator"
    )

    for actor in (moderator, member, ResidentFactory()):
        with pytest.raises(Forbidden):
            services.circle_close(actor=actor, circle_id=circle.pk)
    circle.refresh_from_db()
    assert not circle.is_closed
    assert Room.objects.get(pk=circle.room_id).closed_at is None


def test_closing_twice_keeps_the_first_closing_time():
    circle = make_circle()
    organiser = organiser_of(circle)
    first = services.circle_close(actor=organiser, circle_id=circle.pk).closed_at

    again = services.circle_close(actor=organiser, circle_id=circle.pk)

    assert again.closed_at == first
    assert CircleMember.objects.get(circle=circle, resident=organiser).is_active
