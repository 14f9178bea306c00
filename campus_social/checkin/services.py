"""The card tap: who holds the card, what runs at this reader now, and whether they are in it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.checkin.registry import CheckIn, checkin_handlers
from campus_social.common.errors import Conflict, Forbidden, NotFound
from campus_social.identity.models import ReaderDevice
from campus_social.identity.selectors import card_holder


def card_check_in(*, reader: ReaderDevice, card_id: str, now: datetime | None = None) -> CheckIn:
    """A card tap at the venue checks its holder in to the session running there, whatever its
    kind: every registered handler is asked for its sessions running at this reader now, and the
    first one the holder takes part in records the attendance.

    Refusals: ``NotFound`` ``unknown_card`` (not registered or locked; a card id that is a My
    Number is ``Invalid`` ``my_number``), ``Conflict`` ``no_session`` (nothing of any kind runs
    here now), ``Forbidden`` ``not_enrolled`` (the holder is in none of them).
    """
    now = now or timezone.now()
    resident = card_holder(card_id=card_id)
    if resident is None:
        raise NotFound(_("This card is not registered or is locked."), code="unknown_card")
    running = [
        (handler, session)
        for handler in checkin_handlers()
        for session in handler.sessions_running(reader=reader, now=now)
    ]
    if not running:
        raise Conflict(_("No session is running here now."), code="no_session")
    for handler, session in running:
        if handler.takes_part(session=session, resident=resident):
            with transaction.atomic():
                return handler.record(session=session, resident=resident)
    raise Forbidden(
        _("This resident is not enrolled in the session running here."), code="not_enrolled"
    )
