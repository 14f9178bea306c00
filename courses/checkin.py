"""Courses' check-in handler: a card tap at an offering's reader checks an enrolled learner in to
the session running there.  Registered in ``CoursesConfig.ready()``; the route is the core's
(``campus_social.checkin``)."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from campus_social.checkin.registry import CheckIn
from courses import selectors, services

if TYPE_CHECKING:
    from campus_social.identity.models import ReaderDevice, Resident
    from courses.models import Session


class CourseCheckIn:
    kind = "offering"

    def sessions_running(self, *, reader: "ReaderDevice", now: datetime) -> Sequence[object]:
        return list(selectors.session_running_for_reader(reader_id=reader.pk, now=now))

    def takes_part(self, *, session: object, resident: "Resident") -> bool:
        return selectors.session_resident_enrolled(session=_session(session), resident=resident)

    def record(self, *, session: object, resident: "Resident") -> CheckIn:
        attendance = services.attendance_record_card(session=_session(session), resident=resident)
        return CheckIn(
            kind=self.kind,
            session_id=attendance.session_id,
            resident=resident,
            extra_ids={"offering": attendance.session.offering_id},
        )


def _session(session: object) -> "Session":
    # Only this handler's own ``sessions_running`` hands sessions back to it.
    return session  # type: ignore[return-value]
