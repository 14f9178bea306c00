"""The circles REST API: links, documents and pictures shared in a circle, and the checks every
upload passes."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from communities import services, uploads
from communities.models import Resource
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def resources_url(circle) -> str:
    return f"/api/v1/circles/{circle.pk}/resources/"


def jpeg_with_gps() -> bytes:
    """A photo whose EXIF says where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (35.0, 41.0, 0.0), 3: "E", 4: (139.0, 46.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(client, circle, data: bytes, *, name="file.bin", title="資料"):
    sent = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(resources_url(circle), {"title": title, "file": sent}, format="multipart")


def share_link(circle, member, title="公民館の案内") -> Resource:
    return services.resource_add_link(
        actor=member, circle_id=circle.pk, title=title, url="https://example.org/kominkan"
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_member_shares_a_link(signed_in):
    circle = make_circle()
    member = add_member(circle)

    response = signed_in(member).post(
        resources_url(circle),
        {"title": "公民館の案内", "url": "https://example.org/kominkan"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    resource = Resource.objects.get(pk=body["id"])
    assert (resource.kind, resource.url, resource.added_by) == (
        "link",
        "https://example.org/kominkan",
        member,
    )
    assert (body["kind"], body["url"], body["file_url"], body["added_by_name"]) == (
        "link",
        "https://example.org/kominkan",
        None,
        member.name,
    )


def test_a_link_that_is_not_http_answers_400(signed_in):
    circle = make_circle()

    response = signed_in(organiser_of(circle)).post(
        resources_url(circle), {"title": "危険", "url": "javascript:alert(1)"}, format="json"
    )

    assert response.status_code == 400
    assert "url" in response.json()["fields"]
    assert not Resource.objects.exists()


def test_a_member_shares_a_document_that_members_download(media, signed_in):
    circle = make_circle()
    member = add_member(circle)
    reader = add_member(circle)

    response = upload(signed_in(member), circle, PDF, name="minutes.exe", title="議事録")

    assert response.status_code == 201, response.content
    body = response.json()
    resource = Resource.objects.get(pk=body["id"])
    assert (resource.kind, resource.content_type, resource.size) == (
        "document",
        "application/pdf",
        len(PDF),
    )
    assert body["url"] is None
    assert body["file_url"] == f"/api/v1/circles/{circle.pk}/resources/{resource.pk}/file"

    download = signed_in(reader).get(body["file_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="resource-{resource.pk}.pdf"'
    assert b"".join(download.streaming_content) == PDF


def test_a_shared_photo_loses_its_exif_and_gps(media, signed_in):
    circle = make_circle()
    member = add_member(circle)
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the sender's GPS position
    client = signed_in(member)

    response = upload(client, circle, data, name="walk.jpg", title="散歩の写真")
    download = client.get(response.json()["file_url"])

    assert response.status_code == 201
    assert response.json()["kind"] == "picture"
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    photo = Image.open(io.BytesIO(b"".join(download.streaming_content)))
    assert photo.size == (40, 30)
    assert not photo.getexif()
    assert "exif" not in photo.info


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",  # a Windows program
        b"PK\x03\x04" + b"\x00" * 40,  # a ZIP that is no office document
        "<html><script>alert(1)</script>".encode("utf-16"),
    ],
    ids=["program", "zip", "utf16"],
)
def test_an_upload_that_is_neither_a_picture_nor_a_document_is_refused_and_nothing_kept(
    media, data, signed_in
):
    circle = make_circle()

    response = upload(signed_in(organiser_of(circle)), circle, data)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unsupported_file"
    assert body["detail"]
    assert "file" in body["fields"]
    assert not Resource.objects.exists()
    assert not stored_files(media)


def test_a_document_that_is_too_large_is_refused_and_nothing_kept(media, monkeypatch, signed_in):
    monkeypatch.setattr(uploads, "DOCUMENT_MAX_BYTES", 64)
    circle = make_circle()

    response = upload(signed_in(organiser_of(circle)), circle, b"a" * 65, name="long.txt")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "file_too_large"
    assert "file" in body["fields"]
    assert not Resource.objects.exists()
    assert not stored_files(media)


def test_a_multipart_share_without_a_file_answers_400(media, signed_in):
    circle = make_circle()

    response = signed_in(organiser_of(circle)).post(
        resources_url(circle), {"title": "空"}, format="multipart"
    )

    assert response.status_code == 400
    assert "file" in response.json()["fields"]
    assert not Resource.objects.exists()


def test_a_non_member_cannot_share_and_nothing_is_kept(media, signed_in):
    circle = make_circle()
    outsider = signed_in(ResidentFactory())

    linked = outsider.post(
        resources_url(circle), {"title": "宣伝", "url": "https://example.org/"}, format="json"
    )
    uploaded = upload(outsider, circle, PDF)

    assert (linked.status_code, uploaded.status_code) == (403, 403)
    assert {linked.json()["code"], uploaded.json()["code"]} == {"not_a_member"}
    assert not Resource.objects.exists()
    assert not stored_files(media)


def test_shared_resources_are_listed_newest_first(signed_in):
    circle = make_circle()
    member = add_member(circle)
    older = share_link(circle, member, "古い")
    newer = share_link(circle, member, "新しい")

    response = signed_in(member).get(resources_url(circle))

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [newer.pk, older.pk]


def test_who_shared_removes_it_and_another_member_cannot(
    media, django_capture_on_commit_callbacks, signed_in
):
    circle = make_circle()
    member, other = add_member(circle), add_member(circle)
    resource = services.resource_add_file(
        actor=member, circle_id=circle.pk, title="メモ", upload=ContentFile(b"memo", "m.txt")
    )
    path = f"{resources_url(circle)}{resource.pk}/"

    by_other = signed_in(other).delete(path)
    assert by_other.status_code == 403
    assert by_other.json()["code"] == "not_author"
    assert Resource.objects.filter(pk=resource.pk).exists()

    with_file = stored_files(media)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        by_author = signed_in(member).delete(path)
    assert by_author.status_code == 204
    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert with_file
    assert not stored_files(media)


def test_a_moderator_removes_what_a_member_shared(signed_in):
    circle = make_circle()
    resource = share_link(circle, add_member(circle))

    response = signed_in(organiser_of(circle)).delete(f"{resources_url(circle)}{resource.pk}/")

    assert response.status_code == 204
    assert not Resource.objects.exists()


def test_a_resource_of_another_circle_is_not_found_under_this_one(media, signed_in):
    mine = make_circle()
    member = add_member(mine)
    elsewhere = make_circle()
    add_member(elsewhere, member)
    theirs = services.resource_add_file(
        actor=member, circle_id=elsewhere.pk, title="メモ", upload=ContentFile(b"memo", "m.txt")
    )
    client = signed_in(member)

    read = client.get(f"{resources_url(mine)}{theirs.pk}/file")
    removed = client.delete(f"{resources_url(mine)}{theirs.pk}/")

    assert (read.status_code, removed.status_code) == (404, 404)
    assert Resource.objects.filter(pk=theirs.pk).exists()


def test_a_link_has_no_file_to_download(signed_in):
    circle = make_circle()
    link = share_link(circle, organiser_of(circle))

    response = signed_in(organiser_of(circle)).get(f"{resources_url(circle)}{link.pk}/file")

    assert response.status_code == 404


@pytest.mark.parametrize("rows", [3, 13])
def test_the_resource_list_costs_the_same_queries_however_many_resources(
    django_assert_num_queries, rows, signed_in
):
    """Guards against loading each resource's sharer per row."""
    circle = make_circle()
    for _n in range(rows):
        share_link(circle, add_member(circle))
    client = signed_in(organiser_of(circle))

    # session, resident, circle, my standing, count, page
    with django_assert_num_queries(6):
        response = client.get(resources_url(circle), {"page_size": 100})

    assert len(response.json()["results"]) == rows
