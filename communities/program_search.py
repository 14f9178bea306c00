"""What search finds of intergenerational programs ("program"), as ``campus_social.search``
documents.  Registered in ``CommunitiesConfig.ready()``; the program services call
``index_later`` wherever they change what a program's document shows or who may find it.
Nothing here imports the circle modules.

Who finds a program is ``program_selectors.program_list``'s rule, as access keys:

- a program that is not a draft (published, ended or cancelled): every signed-in adult
  ("programs-adults"), and a child only while taking part in it ("program-child:<id>");
- a draft: its coordinators ("program-coordinator:<id>") and city staff ("programs-all", which
  staff hold for every program).

Visitors who are not signed in find no program.  Who takes part and who coordinates is read on
the viewer's side, when they search, so those changes need no update of the index.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from campus_social.identity.selectors import resident_is_city_staff
from campus_social.search.documents import SearchDocument
from campus_social.search.sources import in_both_languages, in_chunks
from communities.models.programs import Program, ProgramChild, ProgramSession
from communities.values import ProgramStatus, Topic

if TYPE_CHECKING:
    from campus_social.identity.models import Resident

ADULTS = "programs-adults"
EVERY_PROGRAM = "programs-all"


def child_key(program_id: int) -> str:
    return f"program-child:{program_id}"


def coordinator_key(program_id: int) -> str:
    return f"program-coordinator:{program_id}"


class ProgramSource:
    """Every program, each found by those ``program_list`` shows it to."""

    kind = "program"

    def label(self) -> str:
        return pgettext("search kind", "Programs")

    def _findable(self) -> QuerySet[Program]:
        return Program.objects.select_related("school", "district").prefetch_related(
            Prefetch(
                "sessions",
                queryset=ProgramSession.objects.filter(cancelled_at__isnull=True),
                to_attr="sessions_held_or_coming",
            )
        )

    def count(self) -> int:
        return Program.objects.count()

    def documents(self, *, chunk_size: int = 500) -> Iterator[SearchDocument]:
        for chunk in in_chunks(self._findable(), chunk_size):
            yield from map(self.describe, chunk)

    def documents_for(self, object_ids: Sequence[int]) -> Iterable[SearchDocument]:
        return [self.describe(p) for p in self._findable().filter(pk__in=list(object_ids))]

    def describe(self, program: Program) -> SearchDocument:
        sessions: list[ProgramSession] = getattr(program, "sessions_held_or_coming", [])
        weekdays = sorted({str(timezone.localtime(s.starts_at).isoweekday()) for s in sessions})
        keywords = [
            in_both_languages(Topic(program.theme).label),
            program.school.name,
            program.district.name,
            program.district.name_kana,
            program.venue,
        ]
        access = [EVERY_PROGRAM, coordinator_key(program.pk)]
        if program.status != ProgramStatus.DRAFT:
            access += [ADULTS, child_key(program.pk)]
        return SearchDocument(
            kind=self.kind,
            object_id=program.pk,
            title=program.title,
            reading=program.title_kana,
            keywords=" ".join(word for word in keywords if word),
            body=program.description,
            url=reverse("frontend:program", kwargs={"program_id": program.pk}),
            facets={
                "category": (program.theme,),
                "district": (program.district.slug,),
                "weekday": tuple(weekdays),
            },
            access=tuple(access),
            rank_date=timezone.make_aware(datetime.combine(program.starts_on, time.min)),
        )

    def access_keys(self, viewer: "Resident | None") -> set[str]:
        if viewer is None:
            return set()
        if viewer.is_child:
            taking_part = ProgramChild.objects.filter(child=viewer, left_at__isnull=True)
            return {child_key(pid) for pid in taking_part.values_list("program_id", flat=True)}
        keys = {ADULTS}
        if resident_is_city_staff(viewer):
            keys.add(EVERY_PROGRAM)
        coordinated = Program.objects.filter(coordinators=viewer).values_list("pk", flat=True)
        return keys | {coordinator_key(program_id) for program_id in coordinated}


# The one instance of each, registered in the app's ready() (which may run more than once).
programs = ProgramSource()
