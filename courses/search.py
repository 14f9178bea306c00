"""What search finds of courses: offerings open in the catalogue ("offering") and approved
lecturers ("lecturer"), as ``campus_social.search`` documents.  Registered in
``CoursesConfig.ready()``; the services call ``index_later`` wherever they change what these
documents show or who may find them.

Who finds an offering is the catalogue's rule (``selectors.offering_list``): everyone, except
that a child finds only the courses whose audience admits them (``audiences_admitting``).  So an
offering is found by the key of its course's audience (``offering-audience:children``), and a
viewer holds the keys of the audiences open to them — every audience for adults and for
visitors who are not signed in (the catalogue is public).
"""

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from campus_social.search.documents import PUBLIC, SearchDocument
from campus_social.search.sources import in_both_languages, in_chunks
from courses.models import Course, Lecturer, Offering, Session
from courses.selectors import audiences_admitting
from courses.values import Audience, Category

if TYPE_CHECKING:
    from campus_social.identity.models import Resident


def audience_key(audience: str) -> str:
    return f"offering-audience:{audience}"


def _yes_no(flag: bool) -> tuple[str, ...]:
    return ("yes",) if flag else ("no",)


class OfferingSource:
    """Published offerings that have not ended, as the catalogue lists them."""

    kind = "offering"

    def label(self) -> str:
        return pgettext("search kind", "Courses")

    def _findable(self) -> QuerySet[Offering]:
        return (
            Offering.objects.filter(status=Offering.Status.PUBLISHED)
            .exclude(Offering.ended_q(timezone.now()))
            .select_related("course", "district")
            .prefetch_related(
                "lecturers",
                Prefetch(
                    "sessions",
                    queryset=Session.objects.filter(cancelled_at__isnull=True),
                    to_attr="sessions_held_or_coming",
                ),
            )
        )

    def count(self) -> int:
        return (
            Offering.objects.filter(status=Offering.Status.PUBLISHED)
            .exclude(Offering.ended_q(timezone.now()))
            .count()
        )

    def documents(self, *, chunk_size: int = 500) -> Iterator[SearchDocument]:
        for chunk in in_chunks(self._findable(), chunk_size):
            yield from map(self.describe, chunk)

    def documents_for(self, object_ids: Sequence[int]) -> Iterable[SearchDocument]:
        return [self.describe(o) for o in self._findable().filter(pk__in=list(object_ids))]

    def describe(self, offering: Offering) -> SearchDocument:
        course = offering.course
        lecturers = list(offering.lecturers.all())
        sessions: list[Session] = getattr(offering, "sessions_held_or_coming", [])
        # The weekday as the resident meets it: in the site's time zone, Monday = "1".
        weekdays = sorted({str(timezone.localtime(s.starts_at).isoweekday()) for s in sessions})
        keywords = [
            *(lecturer.display_name for lecturer in lecturers),
            *(lecturer.name_kana for lecturer in lecturers),
            in_both_languages(Category(course.category).label),
            offering.district.name,
            offering.district.name_kana,
            offering.venue,
            offering.term,
        ]
        return SearchDocument(
            kind=self.kind,
            object_id=offering.pk,
            title=course.title,
            reading=course.title_kana,
            keywords=" ".join(word for word in keywords if word),
            body=course.description,
            url=reverse("frontend:offering", kwargs={"offering_id": offering.pk}),
            facets={
                "category": (course.category,),
                "district": (offering.district.slug,),
                "audience": (course.audience,),
                "weekday": tuple(weekdays),
                "free": _yes_no(offering.fee_yen == 0),
                "credit": _yes_no(offering.bears_credit),
            },
            access=(audience_key(course.audience),),
            rank_date=offering.first_session_at,
        )

    def access_keys(self, viewer: "Resident | None") -> set[str]:
        if viewer is not None and viewer.is_child:
            return {audience_key(audience) for audience in audiences_admitting(resident=viewer)}
        return {audience_key(audience) for audience in Audience.values}


class LecturerSource:
    """Approved lecturers, found by name (and its reading), skills and the titles of the
    courses they give; the hit leads to the catalogue filtered to them."""

    kind = "lecturer"

    def label(self) -> str:
        return pgettext("search kind", "Lecturers")

    def _findable(self) -> QuerySet[Lecturer]:
        # Only courses the catalogue shows or showed: one never published is still a draft.
        offered = Course.objects.filter(offerings__status=Offering.Status.PUBLISHED)
        return Lecturer.objects.filter(status=Lecturer.Status.APPROVED).prefetch_related(
            Prefetch("courses", queryset=offered.distinct().order_by("pk"), to_attr="offered")
        )

    def count(self) -> int:
        return Lecturer.objects.filter(status=Lecturer.Status.APPROVED).count()

    def documents(self, *, chunk_size: int = 500) -> Iterator[SearchDocument]:
        for chunk in in_chunks(self._findable(), chunk_size):
            yield from map(self.describe, chunk)

    def documents_for(self, object_ids: Sequence[int]) -> Iterable[SearchDocument]:
        return [self.describe(lc) for lc in self._findable().filter(pk__in=list(object_ids))]

    def describe(self, lecturer: Lecturer) -> SearchDocument:
        courses: list[Course] = getattr(lecturer, "offered", [])
        keywords = [*(course.title for course in courses), lecturer.skills]
        return SearchDocument(
            kind=self.kind,
            object_id=lecturer.pk,
            title=lecturer.display_name,
            reading=lecturer.name_kana,
            keywords=" ".join(word for word in keywords if word),
            body=lecturer.profile,
            url=f"{reverse('frontend:course-catalogue')}?lecturer={lecturer.pk}",
            access=(PUBLIC,),
        )

    def access_keys(self, viewer: "Resident | None") -> set[str]:
        return set()


# The one instance of each, registered in the app's ready() (which may run more than once).
offerings = OfferingSource()
lecturers = LecturerSource()
