"""The circle itself: starting, changing, its picture, closing."""

from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.common.errors import Conflict, Forbidden
from campus_social.common.images import clean_image
from campus_social.identity.models import District, Resident
from campus_social.identity.selectors import child_q, resident_is_city_staff
from campus_social.safeguarding.selectors import may_lead, resident_is_vetted
from campus_social.search.readings import reading_missing
from campus_social.search.services import index_later
from communities.models import Circle, CircleMember, CircleTopic, Topic
from communities.selectors import circle_get, manager_standing
from communities.services._common import (
    _delete_file_on_commit,
    _fail,
    _locked,
    _open_circle,
    _room_attach,
    _room_join,
    _room_of,
    _text,
)
from messaging import services as rooms


def _clean_circle(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    limits = {"name": (120, True), "name_kana": (240, True), "description": (5000, False)}
    for field, (limit, required) in limits.items():
        if field in values or not partial:
            clean[field] = _text(
                errors,
                field,
                values.get(field),
                limit=limit,
                required=required,
                multiline=field == "description",
            )
    if "name_kana" in clean:
        reading_missing(errors, "name_kana", values.get("name_kana"), reads=values.get("name"))
    if "visibility" in values or not partial:
        visibility = values.get("visibility", Circle.Visibility.OPEN)
        if visibility not in Circle.Visibility.values:
            errors["visibility"] = [_("Choose open, moderated or invite only.")]
        clean["visibility"] = visibility
    if "district" in values:
        # Named by its code (slug), as offerings and every district in the API are.
        code = values["district"]
        district = (
            District.objects.filter(slug=code).first() if isinstance(code, str) and code else None
        )
        if district is None:
            errors["district"] = [
                _("There is no district with the code “%(code)s”.") % {"code": code}
            ]
        clean["district"] = district
    elif "district_id" in values or not partial:
        # By its id: the pages' form, and API clients of the previous release (until the next).
        district_id = values.get("district_id")
        district = (
            District.objects.filter(pk=district_id).first()
            if isinstance(district_id, int)
            else None
        )
        if district is None:
            errors["district_id"] = [_("Choose a district.")]
        clean["district"] = district
    if "topics" in values or not partial:
        topics = values.get("topics") or []
        if not isinstance(topics, list | tuple) or any(t not in Topic.values for t in topics):
            errors["topics"] = [_("Choose topics from the list.")]
            topics = []
        elif not topics:
            errors["topics"] = [_("Choose at least one topic.")]
        clean["topics"] = sorted(set(topics))
    if "for_children" in values:
        if not isinstance(values["for_children"], bool):
            errors["for_children"] = [_("Answer yes or no.")]
        clean["for_children"] = values["for_children"] is True
    _fail(errors)
    return clean


def _check_children_lead(circle: Circle, organiser: Resident) -> None:
    if circle.for_children and not resident_is_vetted(organiser):
        raise Forbidden(
            _("Only an organiser with a current vetting record may open a circle to children."),
            code="vetting_required",
        )


def circle_create(*, actor: Resident, **values: Any) -> Circle:
    """A new circle, the actor its organiser.  ``values``: name, name_kana, description,
    district (its code) or district_id, visibility, topics, for_children."""
    if not may_lead(resident=actor):  # organising is for adults (safeguarding)
        raise Forbidden(_("Children join circles through a guardian."), code="guardian_required")
    clean = _clean_circle(values, partial=False)
    topics = clean.pop("topics")
    with transaction.atomic():
        circle = Circle(created_by=actor, **clean)
        _check_children_lead(circle, actor)
        circle.save()
        CircleTopic.objects.bulk_create(CircleTopic(circle=circle, topic=t) for t in topics)
        _room_attach(circle)
        organiser = CircleMember.objects.create(
            circle=circle,
            resident=actor,
            role=CircleMember.Role.ORGANISER,
            status=CircleMember.Status.ACTIVE,
            joined_at=timezone.now(),
        )
        _room_join(circle, organiser)
        index_later("circle", [circle.pk])
    return circle


def circle_update(*, actor: Resident, circle_id: int, **values: Any) -> Circle:
    """Change the circle's details (its organiser only)."""
    clean = _clean_circle(values, partial=True)
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        standing = manager_standing(circle=circle, actor=actor)
        if standing.role != CircleMember.Role.ORGANISER:
            raise Forbidden(_("Only the organiser changes the circle's details."))
        _open_circle(circle)
        topics = clean.pop("topics", None)
        for field, value in clean.items():
            setattr(circle, field, value)
        if clean.get("for_children"):
            _check_children_lead(circle, actor)
        if (
            not circle.for_children
            and circle.memberships.filter(
                status__in=[CircleMember.Status.ACTIVE, CircleMember.Status.REQUESTED]
            )
            .filter(resident__in=_children(circle))
            .exists()
        ):
            raise Conflict(
                _("Children are members: the circle must stay open to children."),
                code="children_present",
            )
        circle.save()
        if topics is not None:
            circle.topics.all().delete()
            CircleTopic.objects.bulk_create(CircleTopic(circle=circle, topic=t) for t in topics)
        if "name" in clean:
            rooms.room_rename(room=_room_of(circle), title=circle.name)
        # Name, reading, topics, district, who may find it (visibility, for children).
        index_later("circle", [circle.pk])
    return circle


def _children(circle: Circle) -> list[int]:
    return list(
        circle.memberships.filter(child_q(path="resident__")).values_list("resident_id", flat=True)
    )


def circle_picture_set(
    *, actor: Resident, circle_id: int, upload: UploadedFile | IO[bytes]
) -> Circle:
    """The circle's picture, re-encoded without EXIF/GPS (organiser or moderators)."""
    # Checked before the picture is decoded, so that nobody else can make the server work.
    manager_standing(circle=circle_get(circle_id=circle_id, actor=actor), actor=actor)
    picture = clean_image(upload, field="picture")
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        manager_standing(circle=circle, actor=actor)
        _open_circle(circle)
        old = circle.picture.name
        circle.picture.save(picture.name or "picture.jpg", picture, save=True)
        _delete_file_on_commit(old)
    return circle


def circle_picture_remove(*, actor: Resident, circle_id: int) -> Circle:
    with transaction.atomic():
        circle = _locked(circle_get(circle_id=circle_id, actor=actor).pk)
        manager_standing(circle=circle, actor=actor)
        old = circle.picture.name
        circle.picture = ""
        circle.save(update_fields=["picture"])
        _delete_file_on_commit(old)
    return circle


def circle_close(*, actor: Resident, circle_id: int) -> Circle:
    """Close the circle (its organiser, or city staff): everything stays readable to its
    members, nothing new can be added, and the chat room is closed."""
    staff = resident_is_city_staff(actor)
    with transaction.atomic():
        # Staff close any circle, invite-only ones included (which circle_get hides from them).
        circle = _locked(
            circle_id
            if staff and isinstance(circle_id, int)
            else circle_get(circle_id=circle_id, actor=actor).pk
        )
        if not staff:
            standing = manager_standing(circle=circle, actor=actor)
            if standing.role != CircleMember.Role.ORGANISER:
                raise Forbidden(_("Only the organiser may close the circle."))
        if circle.closed_at is None:
            circle.closed_at = timezone.now()
            circle.save(update_fields=["closed_at"])
            rooms.room_close(room=_room_of(circle))
            index_later("circle", [circle.pk])  # a closed circle is no longer found
    return circle
