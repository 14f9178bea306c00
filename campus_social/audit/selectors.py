"""Reading the audit log (city staff only)."""

from datetime import date

from django.db.models import QuerySet

from campus_social.audit.models import AuditEvent
from campus_social.identity.selectors import Actor, require_city_staff


def audit_event_list(
    *,
    actor: Actor,
    action: str = "",
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events, newest first, filtered.  Only city staff read the log."""
    require_city_staff(actor)
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
