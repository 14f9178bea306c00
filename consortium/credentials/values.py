"""Plain data for credentials: what one approved credit says.  No models: the credit domain
builds these from its records, so the credential code depends on nothing but this shape."""

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from decimal import Decimal


class CredentialKind(enum.StrEnum):
    ACHIEVEMENT = "achievement"  # Open Badges 3.0 AchievementCredential: one approved credit
    CLR = "clr"  # CLR 2.0 ClrCredential: a learner's credits together


@dataclass(frozen=True)
class CreditClaim:
    """What one approved credit says.  ``learner_id`` is a pseudonymous URI
    (``selectors.learner_subject_id``), never the resident number; ``university_id`` is a URL
    naming the university.  ``credential_id`` (a ``urn:uuid:``) is set when the credential is
    issued (``services.achievement_credential_issue``)."""

    learner_name: str
    learner_id: str
    university_name: str
    university_id: str
    subject_code: str
    subject_name: str
    credits: Decimal
    grade: str
    course_title: str
    course_hours: int
    awarded_on: dt.date
    credential_id: str = ""


def new_credential_id() -> str:
    return uuid.uuid4().urn
