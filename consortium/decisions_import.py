"""A registrar's decisions, many at once, from a CSV file their own system wrote.

The layout (UTF-8, a BOM allowed, one header row, comma-separated; at most ``MAX_ROWS`` rows):

    application_id,decision,grade,reason
    41,approve,A,
    42,reject,,本学の在籍確認ができませんでした。

``decision`` is ``approve`` (with a ``grade`` of the agreement's grading — ``pass`` for pass/fail)
or ``reject`` (with a ``reason``).  Every row is checked before anything is decided: a malformed
file — not UTF-8, another header, an unknown decision, a missing grade or reason, an application
named twice, one that is not a pending application of this university — answers ``Invalid``
``malformed_csv`` with a message per line, and nothing changes.  The rows are then decided in one
transaction through ``services.credit_decide`` (the cap, the grading, the notices): if one is
refused — over the cap, say — none is decided, and the refusal names its line.  Audited: the
import (``consortium.decisions_imported``, counts only) and a refused one
(``consortium.decisions_import_refused``).
"""

import csv
import io

from django.db import transaction
from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import Invalid, ServiceError
from campus_social.identity.models import Resident
from consortium import selectors, services
from consortium.models import CreditApplication
from consortium.values import ApplicationStatus

HEADER = ["application_id", "decision", "grade", "reason"]
MAX_ROWS = 500
MAX_BYTES = 256 * 1024


def _rows(data: bytes) -> list[list[str]]:
    if len(data) > MAX_BYTES:
        raise Invalid(
            _("The file is larger than %(kib)d KiB.") % {"kib": MAX_BYTES // 1024},
            code="malformed_csv",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(_("The file is not UTF-8 text."), code="malformed_csv") from None
    try:
        return [row for row in csv.reader(io.StringIO(text, newline="")) if any(row)]
    except csv.Error as error:
        raise Invalid(
            _("The file is not CSV: %(problem)s") % {"problem": error}, code="malformed_csv"
        ) from None


def _malformed(problems: list[str]) -> Invalid:
    return Invalid(
        _("The file has mistakes; nothing was decided. Please correct them and send it again."),
        code="malformed_csv",
        fields={"file": problems},
    )


def decisions_import(
    *, actor: Resident, university_id: int, data: bytes
) -> list[CreditApplication]:
    """Decide every row of the file (see the module's docstring), all or none."""
    university = selectors.registrar_university_get(actor=actor, university_id=university_id)
    try:
        decisions = _parse(university.pk, data)
        with transaction.atomic():
            decided = []
            for line, application_id, approve, grade, reason in decisions:
                try:
                    decided.append(
                        services.credit_decide(
                            actor=actor,
                            application_id=application_id,
                            approve=approve,
                            grade=grade,
                            reason=reason,
                        )
                    )
                except ServiceError as refusal:
                    raise type(refusal)(
                        _("Line %(line)d: %(problem)s")
                        % {"line": line, "problem": refusal.message},
                        code=refusal.code,
                        fields=refusal.fields,
                    ) from None
    except ServiceError as refusal:
        audit_record(
            actor=actor,
            action="consortium.decisions_import_refused",
            target=university,
            detail={"code": refusal.code},
        )
        raise
    audit_record(
        actor=actor,
        action="consortium.decisions_imported",
        target=university,
        detail={
            "approved": sum(1 for d in decided if d.status == ApplicationStatus.APPROVED),
            "rejected": sum(1 for d in decided if d.status == ApplicationStatus.REJECTED),
        },
    )
    return decided


def _parse(university_id: int, data: bytes) -> list[tuple[int, int, bool, str, str]]:
    rows = _rows(data)
    if not rows or [cell.strip().lower() for cell in rows[0]] != HEADER:
        raise _malformed(
            [_("Line 1 must be the header: %(header)s") % {"header": ",".join(HEADER)}]
        )
    if len(rows) - 1 > MAX_ROWS:
        raise _malformed([_("At most %(rows)d decisions a file.") % {"rows": MAX_ROWS}])
    problems: list[str] = []
    decisions: list[tuple[int, int, bool, str, str]] = []
    seen: set[int] = set()
    for line, row in enumerate(rows[1:], start=2):
        cells = [cell.strip() for cell in row]
        if len(cells) != len(HEADER):
            problems.append(
                _("Line %(line)d: %(count)d columns, not 4.") % {"line": line, "count": len(cells)}
            )
            continue
        raw_id, decision, grade, reason = cells
        if not raw_id.isdigit() or not 0 < int(raw_id) < 2**31:
            problems.append(
                _("Line %(line)d: the application id is not a number.") % {"line": line}
            )
            continue
        application_id = int(raw_id)
        if application_id in seen:
            problems.append(_("Line %(line)d: this application is named twice.") % {"line": line})
            continue
        seen.add(application_id)
        if decision not in ("approve", "reject"):
            problems.append(
                _("Line %(line)d: the decision must be approve or reject.") % {"line": line}
            )
        elif decision == "approve" and not grade:
            problems.append(_("Line %(line)d: an approval needs a grade.") % {"line": line})
        elif decision == "reject" and not reason:
            problems.append(_("Line %(line)d: a rejection needs a reason.") % {"line": line})
        else:
            decisions.append((line, application_id, decision == "approve", grade, reason))
    pending = set(
        CreditApplication.objects.filter(
            pk__in=seen, university_id=university_id, status=ApplicationStatus.PENDING
        ).values_list("pk", flat=True)
    )
    for line, application_id, *_rest in decisions:
        if application_id not in pending:
            problems.append(
                _("Line %(line)d: no pending application %(id)d at this university.")
                % {"line": line, "id": application_id}
            )
    if problems:
        raise _malformed(problems)
    return decisions
