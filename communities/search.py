"""What search finds of learner circles ("circle"), as ``campus_social.search`` documents.
Registered in ``CommunitiesConfig.ready()``; the circle services call ``index_later`` wherever
they change what a circle's document shows or who may find it.

Who finds a circle is the directory's rule (``selectors._visible_filter``), as access keys:

- an open or moderated circle: every signed-in adult ("circles-listed"), and children too
  when it is for children ("circles-for-children");
- any circle, invite-only ones included: its members, those invited or asking to join, and
  the guardians of its child members ("circle:<id>").

Visitors who are not signed in find no circle (the directory is for residents).  Who is in a
circle is read on the viewer's side, when they search: a membership that starts or ends
changes what that resident finds at once, without touching the index.
"""

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import pgettext

from campus_social.identity.selectors import resident_children
from campus_social.search.documents import SearchDocument
from campus_social.search.sources import in_both_languages, in_chunks
from communities.models import Circle, CircleMember
from communities.values import CircleMemberStatus, CircleVisibility, Topic

if TYPE_CHECKING:
    from campus_social.identity.models import Resident

LISTED = "circles-listed"
LISTED_FOR_CHILDREN = "circles-for-children"


def circle_key(circle_id: int) -> str:
    return f"circle:{circle_id}"


class CircleSource:
    """Circles that are not closed."""

    kind = "circle"

    def label(self) -> str:
        return pgettext("search kind", "Circles")

    def _findable(self) -> QuerySet[Circle]:
        return (
            Circle.objects.filter(closed_at__isnull=True)
            .select_related("district")
            .prefetch_related("topics")
        )

    def count(self) -> int:
        return Circle.objects.filter(closed_at__isnull=True).count()

    def documents(self, *, chunk_size: int = 500) -> Iterator[SearchDocument]:
        for chunk in in_chunks(self._findable(), chunk_size):
            yield from map(self.describe, chunk)

    def documents_for(self, object_ids: Sequence[int]) -> Iterable[SearchDocument]:
        return [self.describe(c) for c in self._findable().filter(pk__in=list(object_ids))]

    def describe(self, circle: Circle) -> SearchDocument:
        topics = [entry.topic for entry in circle.topics.all()]
        keywords = [
            *(in_both_languages(Topic(topic).label) for topic in topics),
            circle.district.name,
            circle.district.name_kana,
        ]
        access = [circle_key(circle.pk)]
        if circle.visibility != CircleVisibility.INVITE_ONLY:
            access.append(LISTED_FOR_CHILDREN if circle.for_children else LISTED)
        return SearchDocument(
            kind=self.kind,
            object_id=circle.pk,
            title=circle.name,
            reading=circle.name_kana,
            keywords=" ".join(word for word in keywords if word),
            body=circle.description,
            url=reverse("frontend:circle", kwargs={"circle_id": circle.pk}),
            facets={
                "category": tuple(topics),
                "district": (circle.district.slug,),
                # A circle for children takes them (through a guardian) besides adults.
                "audience": ("children",) if circle.for_children else ("adults",),
            },
            access=tuple(access),
            rank_date=None,
        )

    def access_keys(self, viewer: "Resident | None") -> set[str]:
        if viewer is None:
            return set()
        keys = {LISTED_FOR_CHILDREN} if viewer.is_child else {LISTED, LISTED_FOR_CHILDREN}
        standing = Q(
            resident=viewer,
            status__in=[
                CircleMemberStatus.ACTIVE,
                CircleMemberStatus.INVITED,
                CircleMemberStatus.REQUESTED,
            ],
        )
        # A guardian reads the circles their child is a member of.
        guarding = Q(
            resident__in=resident_children(resident=viewer).order_by().values("pk"),
            status=CircleMemberStatus.ACTIVE,
        )
        circle_ids = CircleMember.objects.filter(standing | guarding).values_list(
            "circle_id", flat=True
        )
        return keys | {circle_key(circle_id) for circle_id in circle_ids}


# The one instance of each, registered in the app's ready() (which may run more than once).
circles = CircleSource()
