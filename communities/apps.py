from datetime import date
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities"

    def ready(self) -> None:
        from campus_social.checkin.registry import checkin_handler_register
        from campus_social.notifications.kinds import register_kind
        from campus_social.safeguarding import events as safeguarding_events
        from campus_social.search import registry as search_registry
        from communities.program_checkin import ProgramCheckIn
        from communities.program_search import programs
        from communities.search import circles
        from communities.services import NOTIFY, NOTIFY_PROGRAMS
        from courses import events

        register_kind(NOTIFY["membership"], _("My circles: invitations and membership"))
        register_kind(NOTIFY["requests"], _("Requests to join circles I organise"))
        register_kind(NOTIFY["events"], _("Meetings of my circles"), email_default=True)
        register_kind(
            NOTIFY_PROGRAMS,
            _("My programs: invitations, consent and volunteers"),
            email_default=True,
        )

        # The cohort of a course offering finds itself in a circle (docs/architecture.md: a lower
        # app's domain events, heard here).  dispatch_uid: ready() may run more than once.
        events.offering_published.connect(_offering_published, dispatch_uid="circles.published")
        events.enrolment_confirmed.connect(_enrolment_confirmed, dispatch_uid="circles.seated")
        events.enrolment_withdrawn.connect(_enrolment_withdrawn, dispatch_uid="circles.unseated")
        events.offering_completed.connect(_offering_completed, dispatch_uid="circles.completed")
        # A volunteer whose vetting ran out leaves the programs' coming sessions (the core's
        # event: safeguarding names no app above it).
        safeguarding_events.vetting_expired.connect(
            _vetting_expired, dispatch_uid="programs.vetting_expired"
        )
        # A card tap at a program's reader checks a vetted volunteer in (the core's route).
        checkin_handler_register(ProgramCheckIn())
        # What search finds of circles and programs (campus_social.search).
        search_registry.register(circles)
        search_registry.register(programs)


def _offering_published(*, offering_id: int, **_kwargs: Any) -> None:
    from communities.services import circle_for_offering

    circle_for_offering(offering_id=offering_id)


def _enrolment_confirmed(
    *, offering_id: int, resident_id: int, enrolled_by_id: int | None = None, **_kwargs: Any
) -> None:
    from communities.services import circle_cohort_join

    circle_cohort_join(
        offering_id=offering_id, resident_id=resident_id, enrolled_by_id=enrolled_by_id
    )


def _enrolment_withdrawn(*, offering_id: int, resident_id: int, **_kwargs: Any) -> None:
    from communities.services import circle_cohort_leave

    circle_cohort_leave(offering_id=offering_id, resident_id=resident_id)


def _offering_completed(*, offering_id: int, resident_ids: list[int], **_kwargs: Any) -> None:
    from communities.services import circle_cohort_completed

    circle_cohort_completed(offering_id=offering_id, resident_ids=resident_ids)


def _vetting_expired(*, resident_id: int, today: date, **_kwargs: Any) -> None:
    from communities.services import volunteer_vetting_expired

    volunteer_vetting_expired(resident_id=resident_id, today=today)
