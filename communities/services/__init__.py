"""Writes for learner circles: the circle itself, who is in it, its discussions, events and
shared resources, and the circles born from course offerings.

Every public service takes the acting resident and checks it; outsiders who may not know that a
circle exists get ``NotFound``.  The circle's chat room (``messaging``) follows the membership:
each change here is mirrored through ``messaging.services`` in the same transaction.
Notifications and file clean-up run after the commit.

Intergenerational programs have a sub-package of their own (``programs/``), which names no
circle module; its verbs are re-exported here too.

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
from communities.services.programs import (
    NOTIFY_PROGRAMS,
    ChildDataCounts,
    attendance_record,
    attendance_record_card,
    consent_give,
    consent_withdraw,
    photo_add,
    photo_remove,
    program_cancel,
    program_child_add,
    program_child_data_preview,
    program_child_data_purge,
    program_child_remove,
    program_create,
    program_end,
    program_publish,
    program_update,
    programs_due_for_purge,
    reflection_write,
    session_add,
    session_cancel,
    volunteer_answer,
    volunteer_invite,
    volunteer_offer_set,
    volunteer_offer_withdraw,
    volunteer_remove,
    volunteer_vetting_expired,
)
from communities.services.resources import resource_add_file, resource_add_link, resource_remove

__all__ = [
    "NOTIFY",
    "NOTIFY_PROGRAMS",
    "ROOM_ROLE",
    "ChildDataCounts",
    "attendance_record",
    "attendance_record_card",
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
    "consent_give",
    "consent_withdraw",
    "event_cancel",
    "event_create",
    "event_update",
    "photo_add",
    "photo_remove",
    "program_cancel",
    "program_child_add",
    "program_child_data_preview",
    "program_child_data_purge",
    "program_child_remove",
    "program_create",
    "program_end",
    "program_publish",
    "program_update",
    "programs_due_for_purge",
    "reflection_write",
    "reply_create",
    "reply_edit",
    "reply_remove",
    "resource_add_file",
    "resource_add_link",
    "resource_remove",
    "rsvp_set",
    "session_add",
    "session_cancel",
    "thread_create",
    "thread_edit",
    "thread_remove",
    "volunteer_answer",
    "volunteer_invite",
    "volunteer_offer_set",
    "volunteer_offer_withdraw",
    "volunteer_remove",
    "volunteer_vetting_expired",
]
