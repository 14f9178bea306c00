"""The admin site for programs and the schools' records: every changelist and change page
answers a superuser, shows residents by number (no child's name, no photo), and only a
program's card reader can be changed."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campus_social.identity.models import GuardianLinkRequest, Resident, SchoolPlacement
from campus_social.identity.selectors import OPERATOR
from campus_social.identity.services import reader_device_register
from communities import services
from communities.models import (
    Program,
    ProgramChild,
    ProgramConsent,
    ProgramSession,
    ProgramVolunteer,
    SessionAttendance,
    SessionPhoto,
    SessionPhotoTag,
    SessionReflection,
    VolunteerOffer,
)
from tests.communities.builders import jpeg_with_gps
from tests.communities.program_builders import consented_child, running_program, volunteer_in
from tests.factories import GuardianLinkFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

MODELS = [
    Program,
    ProgramSession,
    VolunteerOffer,
    ProgramVolunteer,
    ProgramConsent,
    ProgramChild,
    SessionAttendance,
    SessionReflection,
    SessionPhoto,
    SchoolPlacement,
    GuardianLinkRequest,
]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(
        Resident.objects.create_superuser(
            "operator", "a-long-operator-passphrase", name="運用 担当", given_name="担当"
        )
    )
    return client


@pytest.fixture
def held():
    """One of everything: a program with a session held, a volunteer, a child with consent,
    attendance, a reflection, a tagged photo, a school placement and a guardian's request."""
    running = running_program()
    senior = volunteer_in(running)
    link = consented_child(running)
    start = timezone.now() - timedelta(days=1)
    session = ProgramSession.objects.create(
        program=running.program, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    services.attendance_record(
        actor=running.coordinator, session_id=session.pk, resident_id=link.child_id, present=True
    )
    services.reflection_write(
        actor=link.guardian,
        session_id=session.pk,
        text_value="ひみつのことば",
        child_id=link.child_id,
    )
    services.photo_add(
        actor=running.coordinator,
        session_id=session.pk,
        upload=SimpleUploadedFile("IMG.jpg", jpeg_with_gps(), content_type="image/jpeg"),
        child_ids=[link.child_id],
    )
    SchoolPlacement.objects.create(
        child=link.child, school=running.program.school, school_year=4, class_name="2組"
    )
    GuardianLinkRequest.objects.create(
        guardian=GuardianLinkFactory().guardian, child=link.child, school=running.program.school
    )
    return running, senior, link


def _url(model, view: str, *args: object) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_each_changelist_and_change_page_answers_a_superuser(operator, held, model):
    _running, _senior, link = held
    row = model.objects.order_by("pk").first()

    listing = operator.get(_url(model, "changelist"))
    page = operator.get(_url(model, "change", row.pk))

    assert (listing.status_code, page.status_code) == (200, 200)
    for response in (listing, page):
        text = response.content.decode()
        assert link.child.name not in text  # residents by number only
        assert "ひみつのことば" not in text  # a child's reflection is not shown
        assert "programs/photos/" not in text  # no photo, no link to one


def test_the_photo_page_lists_its_tags_by_child_number(operator, held):
    _running, _senior, link = held
    photo = SessionPhoto.objects.get()

    page = operator.get(_url(SessionPhoto, "change", photo.pk)).content.decode()

    assert SessionPhotoTag.objects.filter(photo=photo, child=link.child).exists()
    assert str(link.child_id) in page


def test_evidence_cannot_be_added_changed_or_deleted(operator, held):
    consent = ProgramConsent.objects.get()
    attendance = SessionAttendance.objects.get()

    assert operator.get(_url(ProgramConsent, "add")).status_code == 403
    assert (
        operator.post(_url(ProgramConsent, "delete", consent.pk), {"post": "yes"}).status_code
        == 403
    )
    assert (
        operator.post(
            _url(SessionAttendance, "change", attendance.pk), {"present": "off"}
        ).status_code
        == 403
    )
    assert SessionAttendance.objects.get().present is True
    assert ProgramConsent.objects.filter(pk=consent.pk).exists()


def test_an_operator_attaches_the_venues_card_reader_and_nothing_else(operator, held):
    running, _senior, _link = held
    OrganisationFactory(slug="midori-shogakko")
    reader, _key = reader_device_register(
        actor=OPERATOR, name="みどり小 多目的室", organisation_slug="midori-shogakko"
    )
    program = running.program

    response = operator.post(
        _url(Program, "change", program.pk),
        {
            "reader": reader.pk,
            "title": "changed",
            "sessions-TOTAL_FORMS": "2",
            "sessions-INITIAL_FORMS": "2",
        },
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.reader, program.title) == (reader, running.program.title)
    assert operator.get(_url(Program, "add")).status_code == 403
