"""A circle's shared resources: links and files."""

import contextlib
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from campus_social.common.errors import Forbidden, NotFound
from campus_social.identity.models import Resident
from communities.models import Resource
from communities.selectors import circle_get, member_standing
from communities.services._common import _delete_file_on_commit, _fail, _poster, _text
from communities.uploads import clean_upload


def resource_add_link(*, actor: Resident, circle_id: int, title: object, url: object) -> Resource:
    errors: dict[str, list[str]] = {}
    clean_title = _text(errors, "title", title, limit=200)
    clean_url = _text(errors, "url", url, limit=500)
    if clean_url and "url" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(clean_url)
        except ValidationError:
            errors["url"] = [_("Enter an address that starts with http:// or https://.")]
    _fail(errors)
    with transaction.atomic():
        circle, _standing = _poster(circle_id, actor)
        return Resource.objects.create(
            circle=circle, kind=Resource.Kind.LINK, title=clean_title, url=clean_url, added_by=actor
        )


def resource_add_file(
    *, actor: Resident, circle_id: int, title: object, upload: UploadedFile | IO[bytes] | None
) -> Resource:
    """Share a picture (re-encoded, EXIF/GPS dropped) or a document (members only)."""
    errors: dict[str, list[str]] = {}
    clean_title = _text(errors, "title", title, limit=200)
    if upload is None:
        errors["file"] = [_("Choose a file.")]
    _fail(errors)
    assert upload is not None
    # Checked before the file is read, so that outsiders cannot make the server do work.
    circle, _standing = _poster(circle_id, actor)
    cleaned = clean_upload(upload)
    resource = Resource(
        circle=circle,
        kind=cleaned.kind,
        title=clean_title,
        content_type=cleaned.content_type,
        size=cleaned.file.size,
        extension=cleaned.extension,
        added_by=actor,
    )
    resource.file.save(cleaned.file.name or "file", cleaned.file, save=False)
    stored = resource.file.name
    try:
        with transaction.atomic():
            circle, _standing = _poster(circle_id, actor)
            resource.circle = circle
            resource.save()
    except BaseException:
        # Nothing is left behind when the row cannot be written.
        _delete_now(stored)
        raise
    return resource


def _delete_now(name: str) -> None:
    from django.core.files.storage import default_storage

    with contextlib.suppress(OSError):
        default_storage.delete(name)


def resource_remove(*, actor: Resident, resource_id: int) -> None:
    """Remove a shared resource: whoever added it, or the organisers and moderators."""
    with transaction.atomic():
        resource = (
            Resource.objects.select_related("circle").filter(pk=resource_id).first()
            if isinstance(resource_id, int)
            else None
        )
        if resource is None:
            raise NotFound(_("No such resource."))
        circle_get(circle_id=resource.circle_id, actor=actor)
        standing = member_standing(circle=resource.circle, actor=actor)
        if resource.added_by_id != actor.pk and not standing.manages:
            raise Forbidden(_("You can only remove what you shared."), code="not_author")
        name = resource.file.name
        resource.delete()
        _delete_file_on_commit(name)
