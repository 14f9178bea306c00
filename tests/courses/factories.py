from datetime import timedelta

import factory
from django.utils import timezone

from courses.models import (
    Audience,
    Category,
    Course,
    Enrolment,
    Lecturer,
    Level,
    Offering,
    Session,
)
from tests.factories import DistrictFactory, ResidentFactory
from tests.factories import VettingRecordFactory as ResidentVettingFactory


class LecturerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lecturer

    resident = factory.SubFactory(ResidentFactory)
    display_name = factory.Sequence(lambda n: f"講師 {n}")
    name_kana = factory.Sequence(lambda n: f"こうし {n}")
    profile = "書道を三十年続けています。"
    skills = "書道"
    teaching_wishes = "初心者向けの書道"
    status = Lecturer.Status.APPROVED


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"はじめての書道 {n}")
    title_kana = factory.Sequence(lambda n: f"はじめてのしょどう {n}")
    description = "筆の持ち方から始めます。"
    category = Category.ARTS
    level = Level.BEGINNER
    audience = Audience.ALL
    owner = factory.SubFactory(LecturerFactory)


class OfferingFactory(factory.django.DjangoModelFactory):
    """A published offering open for enrolment now, with one session next week."""

    class Meta:
        model = Offering
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    venue = "中央公民館 和室"
    district = factory.SubFactory(DistrictFactory)
    capacity = 3
    enrolment_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    enrolment_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=6))
    status = Offering.Status.PUBLISHED

    @factory.post_generation
    def sessions(self, create, extracted, **kwargs):
        if not create:
            return
        self.lecturers.add(self.course.owner)
        starts = [timezone.now() + timedelta(days=7)] if extracted is None else extracted
        for start in starts:
            Session.objects.create(
                offering=self, starts_at=start, ends_at=start + timedelta(hours=2)
            )
        bounds = self.sessions.order_by("starts_at")
        if bounds:
            self.first_session_at = bounds.first().starts_at
            self.last_session_ends_at = bounds.last().ends_at
            self.save(update_fields=["first_session_at", "last_session_ends_at"])


class VettingRecordFactory(ResidentVettingFactory):
    """A current vetting of a lecturer: ``VettingRecordFactory(lecturer=...)`` vets the
    lecturer's resident (the record itself is the core's, keyed on the resident)."""

    class Params:
        lecturer = factory.SubFactory(LecturerFactory)

    resident = factory.SelfAttribute("lecturer.resident")


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """An enrolment row written directly, for offerings the services no longer let anyone join
    (one that has ended, say)."""

    class Meta:
        model = Enrolment

    offering = factory.SubFactory(OfferingFactory)
    resident = factory.SubFactory(ResidentFactory)
    status = Enrolment.Status.ENROLLED
