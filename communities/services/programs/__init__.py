"""Writes for intergenerational programs, one module per area: the program and its sessions
(``programs``), senior volunteers (``volunteers``), children and their guardians' consent
(``consent``), what happens at a session (``sessions``), and the retention of children's data
(``retention``).  Re-exported by
``communities.services``; nothing here imports the circle modules.
"""

from communities.services.programs._common import NOTIFY_PROGRAMS
from communities.services.programs.consent import (
    RECORDED,
    consent_give,
    consent_withdraw,
    program_child_add,
    program_child_remove,
)
from communities.services.programs.programs import (
    program_cancel,
    program_create,
    program_end,
    program_publish,
    program_update,
    session_add,
    session_cancel,
)
from communities.services.programs.retention import (
    ChildDataCounts,
    program_child_data_preview,
    program_child_data_purge,
    programs_due_for_purge,
)
from communities.services.programs.sessions import (
    attendance_record,
    attendance_record_card,
    photo_add,
    photo_remove,
    reflection_write,
)
from communities.services.programs.volunteers import (
    SLOTS,
    volunteer_answer,
    volunteer_invite,
    volunteer_offer_set,
    volunteer_offer_withdraw,
    volunteer_remove,
    volunteer_vetting_expired,
)

__all__ = [
    "NOTIFY_PROGRAMS",
    "RECORDED",
    "SLOTS",
    "ChildDataCounts",
    "attendance_record",
    "attendance_record_card",
    "consent_give",
    "consent_withdraw",
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
    "session_add",
    "session_cancel",
    "volunteer_answer",
    "volunteer_invite",
    "volunteer_offer_set",
    "volunteer_offer_withdraw",
    "volunteer_remove",
    "volunteer_vetting_expired",
]
