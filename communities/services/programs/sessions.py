"""What happens at a session: the coordinator records attendance, each participant writes a
short reflection afterwards (a guardian may write for a young child), and the coordinator adds
photos tagged with the children in them — only children whose guardian's current consent
allows photos.
"""

from typing import IO

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.common.errors import Forbidden, Invalid, NotFound
from campus_social.common.images import clean_image
from campus_social.identity.models import Resident
from campus_social.safeguarding.selectors import acting_for, resident_is_vetted
from communities.models.programs import (
    ProgramChild,
    ProgramConsent,
    ProgramSession,
    ProgramVolunteer,
    SessionAttendance,
    SessionPhoto,
    SessionPhotoTag,
    SessionReflection,
)
from communities.program_selectors import program_get_managed, session_get
from communities.services.programs._common import _refuse
from communities.text_checks import fail, text
from communities.uploads import PICTURE_MAX_BYTES
from communities.values import VolunteerStatus

# A child's reflection is a few simple words; an adult's may run longer.
CHILD_REFLECTION_LIMIT = 200
ADULT_REFLECTION_LIMIT = 1000


def _managed_session(actor: Resident, session_id: object) -> ProgramSession:
    session = session_get(session_id=session_id, actor=actor)
    program_get_managed(program_id=session.program_id, actor=actor)
    if session.cancelled_at is not None:
        raise Invalid(_("This session was cancelled."), code="cancelled")
    return session


def _on_roster(session: ProgramSession, resident: Resident) -> bool:
    """A child taking part now, or a volunteer taking part and vetted on the session's date."""
    if resident.is_child:
        return ProgramChild.objects.filter(
            program_id=session.program_id, child=resident, left_at__isnull=True
        ).exists()
    return ProgramVolunteer.objects.filter(
        program_id=session.program_id, resident=resident, status=VolunteerStatus.ACCEPTED
    ).exists() and resident_is_vetted(resident, on=timezone.localdate(session.starts_at))


def attendance_record(
    *, actor: Resident, session_id: object, resident_id: object, present: object
) -> SessionAttendance:
    """The coordinator marks a participant present or absent (again, to correct it).  Only
    those on the session's roster: children taking part, volunteers vetted on its date."""
    session = _managed_session(actor, session_id)
    if not isinstance(present, bool):
        raise Invalid(_("Please say present or absent."), fields={"present": [_("Required.")]})
    resident = (
        Resident.objects.filter(pk=resident_id, is_active=True).first()
        if isinstance(resident_id, int) and not isinstance(resident_id, bool)
        else None
    )
    if resident is None or not _on_roster(session, resident):
        raise NotFound(_("This person is not on the session's roster."))
    attendance, _created = SessionAttendance.objects.update_or_create(
        session=session,
        resident=resident,
        defaults={"present": present, "recorded_by": actor, "recorded_at": timezone.now()},
    )
    return attendance


def attendance_record_card(*, session: ProgramSession, resident: Resident) -> SessionAttendance:
    """Record a volunteer's card tap at the venue as present (trusted: the caller —
    ``communities.program_checkin`` — found the session running at the reader and checked that
    the volunteer takes part).  Tapping twice records it once; a tap after the coordinator
    marked them absent marks them present.  ``recorded_by`` stays empty: the card recorded it."""
    attendance, created = SessionAttendance.objects.get_or_create(
        session=session, resident=resident, defaults={"present": True, "recorded_by": None}
    )
    if not created and not attendance.present:
        attendance.present = True
        attendance.recorded_by = None
        attendance.recorded_at = timezone.now()
        attendance.save(update_fields=["present", "recorded_by", "recorded_at"])
    return attendance


def reflection_write(
    *, actor: Resident, session_id: object, text_value: object, child_id: int | None = None
) -> SessionReflection:
    """A participant (or a guardian, for their child) writes a few words after a session that
    has begun; writing again replaces them.  A child's reflection is short
    (``CHILD_REFLECTION_LIMIT`` characters)."""
    session = session_get(session_id=session_id, actor=actor)
    author = acting_for(actor=actor, child_id=child_id)
    if not _on_roster(session, author):
        raise Forbidden(_("Only those taking part write reflections."), code="not_taking_part")
    if session.starts_at > timezone.now():
        raise Invalid(_("Reflections are written after the session."), code="too_early")
    errors: dict[str, list[str]] = {}
    limit = CHILD_REFLECTION_LIMIT if author.is_child else ADULT_REFLECTION_LIMIT
    cleaned = text(errors, "text", text_value, limit=limit, multiline=True)
    fail(errors)
    reflection, _created = SessionReflection.objects.update_or_create(
        session=session,
        author=author,
        defaults={"written_by": actor, "text": cleaned, "created_at": timezone.now()},
    )
    return reflection


def photo_add(
    *,
    actor: Resident,
    session_id: object,
    upload: UploadedFile | IO[bytes] | None,
    child_ids: object,
) -> SessionPhoto:
    """The coordinator adds a photo of a session (re-encoded, metadata dropped) tagged with the
    children in it.  Refused, audited and nothing stored if any tagged child is not taking
    part with a current consent that allows photos."""
    session = _managed_session(actor, session_id)
    if upload is None:
        raise Invalid(_("Choose a file."), fields={"file": [_("Choose a file.")]})
    if not isinstance(child_ids, list) or not all(
        isinstance(pk, int) and not isinstance(pk, bool) for pk in child_ids
    ):
        raise Invalid(
            _("Tag the children shown in the photo."),
            fields={"child_ids": [_("Tag the children shown in the photo.")]},
        )
    wanted = set(child_ids)
    allowed = set(
        ProgramConsent.objects.filter(
            program_id=session.program_id,
            child_id__in=wanted,
            withdrawn_at__isnull=True,
            photos_allowed=True,
            child__program_places__program_id=session.program_id,
            child__program_places__left_at__isnull=True,
        ).values_list("child_id", flat=True)
    )
    if wanted - allowed:
        _refuse(
            Forbidden(
                _(
                    "A photo may show only children whose guardian allowed photos in this "
                    "program. Please choose another photo."
                ),
                code="photo_not_allowed",
            ),
            actor=actor,
            action="program.photo_refused",
            target=session.program,
        )
    picture = clean_image(upload, max_bytes=PICTURE_MAX_BYTES, field="file")
    with transaction.atomic():
        photo = SessionPhoto.objects.create(session=session, image=picture, uploaded_by=actor)
        SessionPhotoTag.objects.bulk_create(
            SessionPhotoTag(photo=photo, child_id=child_id) for child_id in sorted(wanted)
        )
    return photo


def photo_remove(*, actor: Resident, photo_id: object) -> None:
    """The coordinator removes a photo; the file goes after the commit."""
    photo = (
        SessionPhoto.objects.select_related("session").filter(pk=photo_id).first()
        if isinstance(photo_id, int) and not isinstance(photo_id, bool)
        else None
    )
    if photo is None:
        raise NotFound(_("No such photo."))
    program_get_managed(program_id=photo.session.program_id, actor=actor)
    name = photo.image.name
    with transaction.atomic():
        photo.delete()
        if name:
            from django.core.files.storage import default_storage

            transaction.on_commit(lambda: default_storage.delete(name), robust=True)
