"""Shared resources: links, documents and pictures that members add to their circle.

Every refusal leaves nothing behind — no row, and no file in storage.
"""

import io

import pytest
from django.core.files.storage import default_storage
from django.db import DatabaseError
from PIL import Image

from campus_social.common.errors import Forbidden, Invalid, NotFound
from communities import selectors, services, uploads
from communities.models import Circle, Resource
from tests.communities.builders import (
    GPS_IFD,
    circle_for_children,
    docx_bytes,
    exe_bytes,
    guardian_with_child,
    html_with_nul_bytes,
    jpeg_with_gps,
    pdf_bytes,
    plain_zip_bytes,
    png_bytes,
    text_bytes,
    upload,
)
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def circle() -> Circle:
    return make_circle()


@pytest.fixture
def member(circle):
    return add_member(circle)


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def share(circle, actor, content: bytes, name: str = "file", title: str = "資料"):
    return services.resource_add_file(
        actor=actor, circle_id=circle.pk, title=title, upload=upload(name, content)
    )


# --- Links -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://aoba.example.jp/map", "http://example.com/a?b=c"])
def test_a_member_shares_a_web_link(circle, member, url):
    resource = services.resource_add_link(
        actor=member, circle_id=circle.pk, title="集合場所の地図", url=f"  {url} "
    )

    assert (resource.kind, resource.url, resource.added_by) == ("link", url, member)
    assert list(selectors.resource_list(circle_id=circle.pk, actor=member)) == [resource]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/file",
        "example.com/no-scheme",
        "",
        "https://" + "a" * 500 + ".jp",
    ],
)
def test_only_http_and_https_links_are_taken(circle, member, url):
    with pytest.raises(Invalid) as refused:
        services.resource_add_link(actor=member, circle_id=circle.pk, title="地図", url=url)

    assert "url" in refused.value.fields
    assert not Resource.objects.exists()


def test_a_link_needs_a_title(circle, member):
    with pytest.raises(Invalid) as refused:
        services.resource_add_link(
            actor=member, circle_id=circle.pk, title=" ", url="https://example.com/"
        )
    assert list(refused.value.fields) == ["title"]
    assert not Resource.objects.exists()


def test_outsiders_share_nothing(circle):
    with pytest.raises(Forbidden) as refused:
        services.resource_add_link(
            actor=ResidentFactory(), circle_id=circle.pk, title="宣伝", url="https://spam.example/"
        )
    assert refused.value.code == "not_a_member"
    hidden = make_circle(visibility=Circle.Visibility.INVITE_ONLY)
    with pytest.raises(NotFound):
        services.resource_add_link(
            actor=ResidentFactory(), circle_id=hidden.pk, title="宣伝", url="https://spam.example/"
        )
    assert not Resource.objects.exists()


# --- Files -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind", "extension"),
    [
        (pdf_bytes(), "document", "pdf"),
        (text_bytes(), "document", "txt"),
        (docx_bytes(), "document", "docx"),
        (png_bytes(transparent=True), "picture", "png"),
        (jpeg_with_gps(), "picture", "jpg"),
    ],
    ids=["pdf", "txt", "docx", "png", "jpeg"],
)
def test_a_member_shares_a_document_or_a_picture(circle, member, media, content, kind, extension):
    resource = share(circle, member, content, name="持ち物リスト")

    resource.refresh_from_db()
    assert (resource.kind, resource.extension, resource.added_by) == (kind, extension, member)
    assert resource.file.name.startswith("circles/resources/")
    assert resource.file.name.endswith(f".{extension}")
    assert "持ち物" not in resource.file.name
    assert resource.size == resource.file.size > 0
    assert stored_files(media) == [resource.file.name]
    assert list(selectors.resource_list(circle_id=circle.pk, actor=member)) == [resource]


def test_a_shared_photo_loses_the_place_it_was_taken(circle, member):
    resource = share(circle, member, jpeg_with_gps(), name="IMG_0420.jpg")

    with default_storage.open(resource.file.name) as stored:
        picture = Image.open(io.BytesIO(stored.read()))
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert not dict(picture.getexif())


@pytest.mark.parametrize(
    "content",
    [exe_bytes(), html_with_nul_bytes(), plain_zip_bytes()],
    ids=["program", "html with NUL bytes", "plain zip"],
)
def test_a_file_that_is_no_picture_or_document_is_refused_leaving_nothing_behind(
    circle, member, media, content
):
    with pytest.raises(Invalid) as refused:
        share(circle, member, content, name="資料.pdf")

    assert refused.value.code == "unsupported_file"
    assert "file" in refused.value.fields
    assert not Resource.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_the_limit_is_refused_leaving_nothing_behind(
    circle, member, media, monkeypatch
):
    monkeypatch.setattr(uploads, "DOCUMENT_MAX_BYTES", 1024)

    with pytest.raises(Invalid) as refused:
        share(circle, member, b"%PDF-1.4\n" + b"0" * 2000)

    assert refused.value.code == "file_too_large"
    assert not Resource.objects.exists()
    assert stored_files(media) == []


def test_sharing_without_a_file_or_title_names_both_fields(circle, member, media):
    with pytest.raises(Invalid) as refused:
        services.resource_add_file(actor=member, circle_id=circle.pk, title="", upload=None)

    assert set(refused.value.fields) == {"title", "file"}
    assert not Resource.objects.exists()


def test_an_outsiders_file_is_refused_before_it_is_stored(circle, media):
    with pytest.raises(Forbidden):
        share(circle, ResidentFactory(), pdf_bytes())

    assert not Resource.objects.exists()
    assert stored_files(media) == []


def test_a_guardian_reading_for_their_child_cannot_share(media):
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)

    with pytest.raises(Forbidden):
        share(circle, link.guardian, pdf_bytes())
    assert selectors.resource_list(circle_id=circle.pk, actor=link.guardian).count() == 0
    assert stored_files(media) == []


def test_a_file_whose_row_cannot_be_written_is_taken_out_of_storage_again(
    circle, member, media, monkeypatch
):
    def broken_save(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(Resource, "save", broken_save)

    with pytest.raises(DatabaseError):
        share(circle, member, pdf_bytes())

    assert stored_files(media) == []


# --- Removing --------------------------------------------------------------------------------------


def test_removing_a_shared_file_deletes_it_from_storage_after_the_commit(
    circle, member, media, django_capture_on_commit_callbacks
):
    resource = share(circle, member, pdf_bytes())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.resource_remove(actor=member, resource_id=resource.pk)
    assert not Resource.objects.exists()
    assert stored_files(media) == [resource.file.name]  # not before the commit
    for callback in callbacks:
        callback()

    assert stored_files(media) == []


def test_organisers_and_moderators_remove_what_others_shared(circle, member, media):
    moderator = add_member(circle)
    services.circle_role_set(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=moderator.pk, role="moderator"
    )
    document = share(circle, member, pdf_bytes())
    link = services.resource_add_link(
        actor=member, circle_id=circle.pk, title="宣伝", url="https://spam.example/"
    )

    services.resource_remove(actor=moderator, resource_id=document.pk)
    services.resource_remove(actor=organiser_of(circle), resource_id=link.pk)

    assert not Resource.objects.exists()


def test_other_members_and_outsiders_cannot_remove_what_someone_shared(circle, member, media):
    resource = share(circle, member, pdf_bytes())

    with pytest.raises(Forbidden) as refused:
        services.resource_remove(actor=add_member(circle), resource_id=resource.pk)
    assert refused.value.code == "not_author"
    with pytest.raises(Forbidden):
        services.resource_remove(actor=ResidentFactory(), resource_id=resource.pk)
    with pytest.raises(NotFound):
        services.resource_remove(actor=member, resource_id=987_654)

    assert Resource.objects.filter(pk=resource.pk).exists()
    assert stored_files(media) == [resource.file.name]
