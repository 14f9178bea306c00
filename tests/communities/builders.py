"""People and files the circle tests share: a vetted adult, a guardian with a child, a circle
for children, and the bytes of the uploads residents send (pictures with a GPS position in
their EXIF, documents, and things that only pretend to be one)."""

import io
import zipfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campus_social.identity.models import GuardianLink, Resident
from campus_social.safeguarding.models import VettingRecord
from communities.models import Circle, CircleMember
from tests.communities.factories import make_circle
from tests.courses.factories import LecturerFactory, VettingRecordFactory
from tests.factories import GuardianLinkFactory
from tests.factories import VettingRecordFactory as ResidentVettingFactory

# --- People -------------------------------------------------------------------------------------


def vetted_adult() -> Resident:
    """An approved lecturer with a current vetting record: who may lead children."""
    lecturer = LecturerFactory()
    VettingRecordFactory(lecturer=lecturer)
    return lecturer.resident


def vetted_adult_from(resident: Resident) -> Resident:
    """The resident, with a current vetting record (as any adult member of a circle for
    children must have)."""
    ResidentVettingFactory(resident=resident)
    return resident


def expire_vetting(resident: Resident) -> None:
    """Every vetting record of the resident ran out yesterday."""
    yesterday = timezone.localdate() - timedelta(days=1)
    VettingRecord.objects.filter(resident=resident).update(expires_on=yesterday)


def guardian_with_child() -> GuardianLink:
    return GuardianLinkFactory()


def circle_for_children(**values: object) -> Circle:
    return make_circle(organiser=vetted_adult(), for_children=True, **values)


def standing(circle: Circle, resident: Resident) -> CircleMember | None:
    """The resident's row in the circle, fresh from the database."""
    return CircleMember.objects.filter(circle=circle, resident=resident).first()


# --- Files --------------------------------------------------------------------------------------

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG whose EXIF names the camera and the place it was taken (Tokyo)."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (139.0, 41.0, 30.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes(*, transparent: bool = False) -> bytes:
    mode, colour = ("RGBA", (0, 120, 0, 0)) if transparent else ("RGB", (0, 120, 0))
    out = io.BytesIO()
    Image.new(mode, (32, 32), colour).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def text_bytes() -> bytes:
    return "次回の持ち物：筆、墨、半紙。\n".encode()


def docx_bytes() -> bytes:
    """The smallest Word document a reader recognises: the content types and the body."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>会報</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def plain_zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/readme.txt", "not an office document")
    return out.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows program (an "MZ" header), whatever name it is sent under."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)


def html_with_nul_bytes() -> bytes:
    return b"<html><body><script>alert(1)</script>\x00\x00</body></html>"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    """A file as Django hands it to a view (name and content type are the sender's claims)."""
    return SimpleUploadedFile(name, content, content_type=content_type)
