"""The models of communities, in modules of their own: learner circles (``circles``) and
intergenerational programs (``programs``).  Neither module imports the other; both keep the
``communities`` app label, so callers write ``from communities.models import Circle, Program``.
"""

from communities.models.circles import (
    Circle,
    CircleEvent,
    CircleMember,
    CircleTopic,
    Reply,
    Resource,
    Rsvp,
    Thread,
    Topic,
)
from communities.models.programs import (
    Program,
    ProgramChild,
    ProgramConsent,
    ProgramSession,
    ProgramVolunteer,
    SessionAttendance,
    SessionPhoto,
    SessionPhotoTag,
    SessionReflection,
    VolunteerOffer,
)

__all__ = [
    "Circle",
    "CircleEvent",
    "CircleMember",
    "CircleTopic",
    "Program",
    "ProgramChild",
    "ProgramConsent",
    "ProgramSession",
    "ProgramVolunteer",
    "Reply",
    "Resource",
    "Rsvp",
    "SessionAttendance",
    "SessionPhoto",
    "SessionPhotoTag",
    "SessionReflection",
    "Thread",
    "Topic",
    "VolunteerOffer",
]
