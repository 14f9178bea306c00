"""Programs' check-in handler: a card tap at a program's reader checks a volunteer in to the
session running there.  Registered in ``CommunitiesConfig.ready()``; the route is the core's
(``campus_social.checkin``).

Only volunteers tap in: a senior who accepted the program's invitation and holds a vetting
record current on the session's date.  Children are checked in by the coordinator's roster
(``attendance_record``), never by card — a child's tap answers the core's refusal
(``403 not_enrolled``), as does a volunteer who is unvetted, expired, invited only or removed.
The time window is the courses' one (``courses.selectors.CHECK_IN_OPENS_BEFORE``): from 30
minutes before the start until the end.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from campus_social.checkin.registry import CheckIn
from campus_social.safeguarding.selectors import resident_is_vetted
from communities.models.programs import ProgramSession, ProgramVolunteer
from communities.services.programs.sessions import attendance_record_card
from communities.values import ProgramStatus, VolunteerStatus
from courses.selectors import CHECK_IN_OPENS_BEFORE

if TYPE_CHECKING:
    from campus_social.identity.models import ReaderDevice, Resident


def program_sessions_running(*, reader_id: int, now: datetime) -> list[ProgramSession]:
    """Sessions of published programs at this reader, not cancelled, under way or starting
    within ``CHECK_IN_OPENS_BEFORE``."""
    return list(
        ProgramSession.objects.filter(
            program__reader_id=reader_id,
            program__status=ProgramStatus.PUBLISHED,
            cancelled_at__isnull=True,
            starts_at__lte=now + CHECK_IN_OPENS_BEFORE,
            ends_at__gte=now,
        ).select_related("program")
    )


def volunteer_takes_part(*, session: ProgramSession, resident: "Resident") -> bool:
    """An accepted volunteer of the session's program, vetted on the session's date (never a
    child: children are on the coordinator's roster)."""
    if resident.is_child:
        return False
    return ProgramVolunteer.objects.filter(
        program_id=session.program_id, resident=resident, status=VolunteerStatus.ACCEPTED
    ).exists() and resident_is_vetted(resident, on=timezone.localdate(session.starts_at))


class ProgramCheckIn:
    kind = "program"

    def sessions_running(self, *, reader: "ReaderDevice", now: datetime) -> Sequence[object]:
        return program_sessions_running(reader_id=reader.pk, now=now)

    def takes_part(self, *, session: object, resident: "Resident") -> bool:
        return volunteer_takes_part(session=_session(session), resident=resident)

    def record(self, *, session: object, resident: "Resident") -> CheckIn:
        program_session = _session(session)
        attendance = attendance_record_card(session=program_session, resident=resident)
        return CheckIn(
            kind=self.kind,
            session_id=attendance.session_id,
            resident=resident,
            extra_ids={"program": program_session.program_id},
        )


def _session(session: object) -> ProgramSession:
    # Only this handler's own ``sessions_running`` hands sessions back to it.
    assert isinstance(session, ProgramSession)
    return session
