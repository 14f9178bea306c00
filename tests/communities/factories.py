"""Circles for tests, made through ``communities.services`` so that the organiser, the topics
and the chat room are as a resident would find them."""

from typing import Any

from campus_social.identity.models import Resident
from communities import services
from communities.models import Circle, CircleMember
from tests.factories import DistrictFactory, ResidentFactory


def make_circle(*, organiser: Resident | None = None, **values: Any) -> Circle:
    """A circle organised by ``organiser`` (a new adult by default); open, about arts."""
    organiser = organiser or ResidentFactory()
    fields: dict[str, Any] = {
        "name": "書道の輪",
        "name_kana": "しょどうのわ",
        "description": "月に一度、公民館で書きます。",
        "district_id": DistrictFactory().pk,
        "visibility": Circle.Visibility.OPEN,
        "topics": ["arts"],
    }
    fields.update(values)
    return services.circle_create(actor=organiser, **fields)


def add_member(circle: Circle, resident: Resident | None = None, **kwargs: Any) -> Resident:
    """A member joined through the service: active in an open circle (an adult in an open circle
    for children is approved by its organiser, as they must be); asking in a moderated one."""
    resident = resident or ResidentFactory()
    membership = services.circle_join(actor=resident, circle_id=circle.pk, **kwargs)
    if (
        membership.status == CircleMember.Status.REQUESTED
        and circle.for_children
        and circle.visibility == Circle.Visibility.OPEN
    ):
        services.circle_request_decide(
            actor=organiser_of(circle),
            circle_id=circle.pk,
            resident_id=membership.resident_id,
            approve=True,
        )
    return resident


def organiser_of(circle: Circle) -> Resident:
    return CircleMember.objects.get(
        circle=circle, role=CircleMember.Role.ORGANISER, status=CircleMember.Status.ACTIVE
    ).resident
