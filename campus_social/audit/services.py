"""Writing to the append-only audit log."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from campus_social.audit.models import AuditEvent

# Keys whose values could carry personal data are never accepted in ``detail``.
_FORBIDDEN_DETAIL_KEYS = frozenset(
    {"name", "card_id", "pin", "email", "birth_date", "address", "ip", "my_number"}
)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event.  ``actor`` is a resident, ``None`` or an anonymous user.

    Written at once, in the caller's transaction when there is one, so a refused login is
    recorded even though the login itself changes nothing else.
    """
    detail = detail or {}
    leaked = _FORBIDDEN_DETAIL_KEYS.intersection(detail)
    if leaked:
        raise ValueError(f"Audit detail must not carry personal data: {sorted(leaked)}")
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail,
    )


def audit_permission_denied(*, request: HttpRequest) -> AuditEvent:
    """Record that the signed-in caller was refused a page or API route (by route name)."""
    match = request.resolver_match
    return audit_record(
        actor=request.user,
        action="permission.denied",
        detail={"route": match.view_name if match else "", "method": request.method},
    )
