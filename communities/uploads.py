"""What a circle member may upload: pictures (re-encoded without metadata by
``campus_social.common.images``) and documents of a few kinds, recognised by their content.

A document is kept byte for byte but never trusted: it is stored under a random name, served
only to members, always as a download, with the content type decided here — not the sender's.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from campus_social.common.errors import Invalid
from campus_social.common.images import clean_image

PICTURE_MAX_BYTES = 8 * 1024 * 1024
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

# Office Open XML and OpenDocument are ZIP files; these entries tell which kind each one is.
_ZIP_KINDS = (
    (
        "word/document.xml",
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xl/workbook.xml",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "ppt/presentation.xml",
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
)
_ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": ("odt", "application/vnd.oasis.opendocument.text"),
    b"application/vnd.oasis.opendocument.spreadsheet": (
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    b"application/vnd.oasis.opendocument.presentation": (
        "odp",
        "application/vnd.oasis.opendocument.presentation",
    ),
}
# Every content type a shared file is served with (pictures are re-encoded as JPEG or PNG); the
# OpenAPI description lists these for ``GET …/resources/{id}/file``.
SERVED_CONTENT_TYPES = (
    "image/jpeg",
    "image/png",
    "application/pdf",
    "text/plain",
    *(content_type for _entry, _extension, content_type in _ZIP_KINDS),
    *(content_type for _extension, content_type in _ODF_TYPES.values()),
)
_IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


@dataclass(frozen=True)
class CleanFile:
    file: ContentFile
    kind: str  # "picture" or "document"
    content_type: str
    extension: str


def clean_upload(upload: UploadedFile | IO[bytes], *, field: str = "file") -> CleanFile:
    """The upload as a picture (re-encoded, metadata dropped) or a document (PDF, plain text,
    Word/Excel/PowerPoint, OpenDocument).  Anything else, or too large: ``Invalid``."""
    head = upload.read(16)
    upload.seek(0)
    if _looks_like_image(head):
        picture = clean_image(upload, max_bytes=PICTURE_MAX_BYTES, field=field)
        extension = picture.name.rsplit(".", 1)[-1] if picture.name else "jpg"
        content_type = "image/png" if extension == "png" else "image/jpeg"
        return CleanFile(picture, "picture", content_type, extension)
    data = _read_at_most(upload, DOCUMENT_MAX_BYTES, field=field)
    extension, content_type = _document_kind(data, field=field)
    return CleanFile(
        ContentFile(data, name=f"{uuid4().hex}.{extension}"), "document", content_type, extension
    )


def _looks_like_image(head: bytes) -> bool:
    return head.startswith(_IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _read_at_most(upload: UploadedFile | IO[bytes], max_bytes: int, *, field: str) -> bytes:
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Invalid(
            _("The file is too large: at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)},
            code="file_too_large",
            fields={field: [_("The file is too large.")]},
        )
    if not data:
        raise Invalid(
            _("The file is empty."), code="empty_file", fields={field: [_("The file is empty.")]}
        )
    return data


def _document_kind(data: bytes, *, field: str) -> tuple[str, str]:
    if data.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind is not None:
            return kind
    else:
        charset = _text_charset(data)
        if charset is not None:
            return "txt", f"text/plain; charset={charset}"
    raise Invalid(
        _(
            "Please upload a picture (JPEG, PNG, WebP, GIF) or a document (PDF, text, Word, Excel, "
            "PowerPoint, OpenDocument)."
        ),
        code="unsupported_file",
        fields={field: [_("This kind of file cannot be shared here.")]},
    )


def _zip_kind(data: bytes) -> tuple[str, str] | None:
    # Only the directory is read (and the tiny ``mimetype`` entry): nothing is unpacked, so a
    # ZIP bomb costs nothing here.
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            for entry, extension, content_type in _ZIP_KINDS:
                if entry in names:
                    return extension, content_type
        if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
            return _ODF_TYPES.get(archive.read("mimetype").strip())
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None


# Control characters other than tab, newline, form feed and carriage return mark a binary file.
_CONTROLS = set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}
_NOT_TEXT = re.compile("[\u0080-\u009f\ue000-\uf8ff]")


def _text_charset(data: bytes) -> str | None:
    """``utf-8`` or ``shift_jis`` (many Japanese PCs still save text in it) when ``data`` is
    text in that encoding; ``None`` for anything else."""
    if _CONTROLS.intersection(data):
        return None
    for codec, charset in (("utf-8", "utf-8"), ("cp932", "shift_jis")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        # cp932 maps a few stray bytes to C1 controls and private-use characters: not text.
        if codec == "cp932" and _NOT_TEXT.search(text):
            return None
        return charset
    return None
