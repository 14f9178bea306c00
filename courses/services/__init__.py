"""Writes for the course life: applying to teach, vetting, courses and offerings, sessions,
enrolment with its waiting list, attendance, completion, feedback and calendar feeds.

Every public service takes the acting resident and checks it.  Side effects (notifications,
domain events) run after the commit.

One module per area; callers keep ``from courses import services`` and use the names
re-exported here.  Helpers shared by several areas live in ``_common`` (private to this
package).
"""

from courses.services._common import NOTIFY
from courses.services.attendance import (
    attendance_by_card,
    attendance_record_card,
    attendance_set,
    completions_record_due,
    offering_record_completions,
)
from courses.services.enrolment import enrolment_cancel, enrolment_create, enrolment_decide
from courses.services.feedback import survey_answer
from courses.services.grades import completion_grade_set
from courses.services.lecturers import lecturer_apply, lecturer_decide, vetting_record_add
from courses.services.offerings import (
    course_create,
    offering_cancel,
    offering_copy,
    offering_create,
    offering_publish,
    offering_update,
    session_add,
    session_cancel,
    session_update,
)
from courses.services.reminders import (
    calendar_feed_owner,
    calendar_feed_renew,
    calendar_feed_revoke,
    session_reminders_send,
)

__all__ = [
    "NOTIFY",
    "attendance_by_card",
    "attendance_record_card",
    "attendance_set",
    "calendar_feed_owner",
    "calendar_feed_renew",
    "calendar_feed_revoke",
    "completion_grade_set",
    "completions_record_due",
    "course_create",
    "enrolment_cancel",
    "enrolment_create",
    "enrolment_decide",
    "lecturer_apply",
    "lecturer_decide",
    "offering_cancel",
    "offering_copy",
    "offering_create",
    "offering_publish",
    "offering_record_completions",
    "offering_update",
    "session_add",
    "session_cancel",
    "session_reminders_send",
    "session_update",
    "survey_answer",
    "vetting_record_add",
]
