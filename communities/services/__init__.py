"""Writes for learner circles: the circle itself, who is in it, its discussions, events and
shared resources, and the circles born from course offerings.

Every public service takes the acting resident and checks it; outsiders who may not know that a
circle exists get ``NotFound``.  The circle's chat room (``messaging``) follows the membership:
each change here is mirrored through ``messaging.services`` in the same transaction.
Notifications and file clean-up run after the commit.

One module per area; callers keep ``from communities import services`` and use the names
re-exported here.  Helpers shared by several areas live in ``_common`` (private to this
package).
"""

from communities.services._common import NOTIFY, ROOM_ROLE
from communities.services.circle import (
    circle_close,
    circle_create,
    circle_picture_remove,
    circle_picture_set,
    circle_update,
)
from communities.services.cohorts import (
    circle_cohort_completed,
    circle_cohort_join,
    circle_cohort_leave,
    circle_cohort_sync,
    circle_for_offering,
    cohort_offering_ids,
)
from communities.services.discussions import (
    reply_create,
    reply_edit,
    reply_remove,
    thread_create,
    thread_edit,
    thread_remove,
)
from communities.services.events import event_cancel, event_create, event_update, rsvp_set
from communities.services.membership import (
    circle_invite,
    circle_join,
    circle_leave,
    circle_member_remove,
    circle_organiser_hand_on,
    circle_request_decide,
    circle_role_set,
    circle_unban,
)
from communities.services.resources import resource_add_file, resource_add_link, resource_remove

__all__ = [
    "NOTIFY",
    "ROOM_ROLE",
    "circle_close",
    "circle_cohort_completed",
    "circle_cohort_join",
    "circle_cohort_leave",
    "circle_cohort_sync",
    "circle_create",
    "circle_for_offering",
    "circle_invite",
    "circle_join",
    "circle_leave",
    "circle_member_remove",
    "circle_organiser_hand_on",
    "circle_picture_remove",
    "circle_picture_set",
    "circle_request_decide",
    "circle_role_set",
    "circle_unban",
    "circle_update",
    "cohort_offering_ids",
    "event_cancel",
    "event_create",
    "event_update",
    "reply_create",
    "reply_edit",
    "reply_remove",
    "resource_add_file",
    "resource_add_link",
    "resource_remove",
    "rsvp_set",
    "thread_create",
    "thread_edit",
    "thread_remove",
]
