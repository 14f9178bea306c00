from functools import cached_property

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from campus_social.identity import selectors
from campus_social.identity.models import Resident
from campus_social.notifications import selectors as notification_selectors
from campus_social.safeguarding.selectors import may_lead

TEXT_SIZE_COOKIE = "text_size"


class NotificationBadge:
    """The signed-in resident's unread count for the menu, counted only when a template reads
    ``unread`` — a real ``int``, which ``{% blocktranslate count %}`` needs (a lazy object is
    not a number to it)."""

    def __init__(self, user: object) -> None:
        self._user = user

    @cached_property
    def unread(self) -> int:
        if not isinstance(self._user, Resident) or not self._user.is_active:
            return 0
        return notification_selectors.notification_unread_count(resident=self._user)


def site(request: HttpRequest) -> dict[str, object]:
    """Page-wide settings every template needs: the large-text mode, whether the signed-in
    resident is city staff, their unread notifications (both looked up only when a template
    asks), and whether they may take roles that answer for others — teaching, starting a circle
    (safeguarding's ``may_lead``: adults only), which the menu and the circle pages offer."""
    user = getattr(request, "user", None)
    return {
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
        "is_city_staff": SimpleLazyObject(lambda: selectors.resident_is_city_staff(user)),
        "notification_badge": NotificationBadge(user),
        "may_lead": isinstance(user, Resident) and may_lead(resident=user),
    }
