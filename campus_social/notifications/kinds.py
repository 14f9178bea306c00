"""The registry of notification kinds.  Apps register theirs in ``AppConfig.ready()``.

A kind is a dotted code (``"message.reported"``) with a label residents see on their settings
page and whether email is on until they choose.  The core registers only its own
``system.announcement``; it knows no feature app.
"""

import re
from dataclasses import dataclass

from django.utils.functional import Promise

KIND_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
KIND_MAX_LENGTH = 64


@dataclass(frozen=True)
class KindInfo:
    label: str | Promise  # lazy, so that it is translated when shown
    email_default: bool = False


KINDS: dict[str, KindInfo] = {}


def register_kind(code: str, label: str | Promise, email_default: bool = False) -> None:
    """Make ``code`` a kind residents can be notified of and can choose about.

    Registering the same code again with the same label and default is harmless (``ready()``
    may run more than once); a different one is a programming error.
    """
    if len(code) > KIND_MAX_LENGTH or not KIND_CODE.match(code):
        raise ValueError(f"notification kind {code!r} is not a dotted lowercase code")
    info = KindInfo(label=label, email_default=email_default)
    existing = KINDS.get(code)
    if existing is not None and existing != info:
        raise ValueError(f"notification kind {code!r} is already registered differently")
    KINDS[code] = info


def kind_info(code: str) -> KindInfo | None:
    return KINDS.get(code)
