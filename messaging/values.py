"""Plain values of messaging that the pages and the owning apps may name without reaching into
its models."""

from enum import StrEnum

# The longest message body, in characters (the service checks it; the form says so early).
BODY_MAX_LENGTH = 4000


class Entry(StrEnum):
    """What ``room_member_add`` did: the owning app acts on it, as it must never swallow a
    refusal (refusals still raise)."""

    # In the room, with the role asked for.
    JOINED = "joined"
    # A child waits for a vetted adult moderator: nothing was written; the owning app admits
    # the child when one joins the room (its own membership of the subject stands meanwhile).
    AWAITS_MODERATOR = "awaits_moderator"
