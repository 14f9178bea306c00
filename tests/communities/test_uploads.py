"""``communities.uploads.clean_upload``: what a member may share is decided by the file's
content — never its name or the content type the browser claimed."""

import io
import zipfile

import pytest
from PIL import Image

from campus_social.common.errors import Invalid
from communities import uploads
from tests.communities.builders import (
    GPS_IFD,
    docx_bytes,
    exe_bytes,
    html_with_nul_bytes,
    jpeg_with_gps,
    odt_bytes,
    pdf_bytes,
    plain_zip_bytes,
    png_bytes,
    text_bytes,
    upload,
)


def office_zip(*entries: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for entry in entries:
            archive.writestr(entry, "<x/>")
    return out.getvalue()


def image_bytes(format: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 200)).save(out, format=format)
    return out.getvalue()


# --- Pictures --------------------------------------------------------------------------------------


def test_a_photo_is_re_encoded_without_its_exif_or_gps_and_under_a_random_name():
    cleaned = uploads.clean_upload(upload("自宅の庭.jpg", jpeg_with_gps(), "image/jpeg"))

    assert (cleaned.kind, cleaned.content_type, cleaned.extension) == (
        "picture",
        "image/jpeg",
        "jpg",
    )
    assert "自宅" not in cleaned.file.name
    assert cleaned.file.name.endswith(".jpg")
    data = cleaned.file.read()
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG"
    assert not dict(picture.getexif())
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert b"PhoneMaker" not in data


def test_a_see_through_png_stays_a_png():
    cleaned = uploads.clean_upload(upload("logo.png", png_bytes(transparent=True)))

    assert (cleaned.kind, cleaned.content_type, cleaned.extension) == (
        "picture",
        "image/png",
        "png",
    )
    assert Image.open(io.BytesIO(cleaned.file.read())).format == "PNG"


@pytest.mark.parametrize("format", ["PNG", "GIF", "WEBP"])
def test_opaque_pictures_of_every_accepted_format_become_jpegs(format):
    cleaned = uploads.clean_upload(upload("picture", image_bytes(format)))

    assert (cleaned.kind, cleaned.content_type) == ("picture", "image/jpeg")
    assert Image.open(io.BytesIO(cleaned.file.read())).format == "JPEG"


def test_a_picture_over_the_limit_is_refused(monkeypatch):
    data = jpeg_with_gps()
    monkeypatch.setattr(uploads, "PICTURE_MAX_BYTES", len(data) - 1)

    with pytest.raises(Invalid) as refused:
        uploads.clean_upload(upload("big.jpg", data))
    assert refused.value.code == "image_too_large"
    assert "file" in refused.value.fields


def test_a_file_that_only_starts_like_a_picture_is_refused():
    with pytest.raises(Invalid) as refused:
        uploads.clean_upload(upload("cat.gif", b"GIF89a<script>alert(1)</script>"))
    assert refused.value.code.startswith("image_")


def test_a_damaged_photo_is_refused():
    data = jpeg_with_gps(size=(400, 300))

    with pytest.raises(Invalid):
        uploads.clean_upload(upload("cut.jpg", data[: len(data) // 2]))


# --- Documents -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "extension", "content_type"),
    [
        (pdf_bytes(), "pdf", "application/pdf"),
        (text_bytes(), "txt", "text/plain; charset=utf-8"),
        (
            docx_bytes(),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            office_zip("xl/workbook.xml"),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            office_zip("ppt/presentation.xml"),
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (odt_bytes(), "odt", "application/vnd.oasis.opendocument.text"),
    ],
    ids=["pdf", "txt", "docx", "xlsx", "pptx", "odt"],
)
def test_documents_are_recognised_by_their_content_and_kept_byte_for_byte(
    content, extension, content_type
):
    # The name and content type the browser sent are deliberately wrong.
    cleaned = uploads.clean_upload(upload("download.bin", content, "image/png"))

    assert (cleaned.kind, cleaned.extension, cleaned.content_type) == (
        "document",
        extension,
        content_type,
    )
    assert cleaned.file.name.endswith(f".{extension}")
    assert "download" not in cleaned.file.name
    assert cleaned.file.read() == content


@pytest.mark.parametrize(
    "content",
    [
        exe_bytes(),
        html_with_nul_bytes(),
        plain_zip_bytes(),
        office_zip("customXml/item1.xml"),  # content types, but no document in it
        b"PK\x03\x04 not really a zip",
        "Shift_JISの文書".encode("shift_jis") + b"\xff\xfe",
    ],
    ids=[
        "program",
        "html with NUL bytes",
        "zip",
        "office-like zip",
        "broken zip",
        "neither utf-8 nor shift_jis",
    ],
)
def test_anything_that_is_not_a_picture_or_a_known_document_is_refused(content):
    with pytest.raises(Invalid) as refused:
        uploads.clean_upload(upload("report.pdf", content, "application/pdf"))

    assert refused.value.code == "unsupported_file"
    assert list(refused.value.fields) == ["file"]


def test_a_shift_jis_text_file_is_taken_and_served_with_its_charset():
    content = "公民館の地図\r\n二階の和室です。".encode("shift_jis")

    cleaned = uploads.clean_upload(upload("map.txt", content, "text/plain"))

    assert cleaned.kind == "document"
    assert cleaned.content_type == "text/plain; charset=shift_jis"
    assert cleaned.file.read() == content


def test_an_empty_file_is_refused():
    with pytest.raises(Invalid) as refused:
        uploads.clean_upload(upload("empty.txt", b""))
    assert refused.value.code == "empty_file"


def test_a_document_is_refused_one_byte_over_the_limit_and_taken_at_it(monkeypatch):
    content = pdf_bytes()
    monkeypatch.setattr(uploads, "DOCUMENT_MAX_BYTES", len(content))
    assert uploads.clean_upload(upload("a.pdf", content)).kind == "document"

    monkeypatch.setattr(uploads, "DOCUMENT_MAX_BYTES", len(content) - 1)
    with pytest.raises(Invalid) as refused:
        uploads.clean_upload(upload("a.pdf", content))
    assert refused.value.code == "file_too_large"


def test_the_error_names_the_form_field_it_is_given():
    with pytest.raises(Invalid) as refused:
        uploads.clean_upload(upload("x", exe_bytes()), field="attachment")
    assert list(refused.value.fields) == ["attachment"]


def test_a_plain_file_object_works_as_well_as_a_django_upload():
    cleaned = uploads.clean_upload(io.BytesIO(pdf_bytes()))
    assert cleaned.extension == "pdf"
