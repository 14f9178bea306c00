"""Reading the audit log (city staff only)."""

from datetime import date

from django.db.models import QuerySet

from campus_social.audit.models import AuditEvent


def audit_event_list(
    *,
    action: str = "",
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events, newest first, filtered.  Callers check that the reader is city staff."""
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action__startswith=action)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if since is not None:
        events = events.filter(occurred_at__date__gte=since)
    if until is not None:
        events = events.filter(occurred_at__date__lte=until)
    return events
