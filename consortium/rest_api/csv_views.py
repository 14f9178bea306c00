"""The registrars' CSV export: every credit entry shared with a university, in a documented,
stable layout (docs/api.md, "Registrars' systems") for its registrars and its system's token.

The layout never changes meaning: columns are only ever added at the end.  UTF-8 with a byte
order mark (Excel then reads the Japanese correctly), one header row, CRLF line ends, dates as
``YYYY-MM-DD``, credits with one decimal, and no cell that a spreadsheet would run as a formula
(one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``).
"""

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import renderers
from rest_framework.request import Request
from rest_framework.views import APIView

from campus_social.common.api import FileRenderer
from campus_social.common.authentication import SessionAuthentication
from consortium import selectors
from consortium.models import CreditRecord, RegistrarSystemToken
from consortium.rest_api.authentication import IsResidentOrSystemToken, SystemTokenAuthentication
from consortium.values import RecordKind

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
COLUMNS = (
    "record_id",
    "application_id",
    "resident_name",
    "subject_code",
    "subject_name",
    "credits",
    "grade",
    "kind",
    "status",
    "in_force",
    "corrects_record_id",
    "completed_on",
    "decided_on",
    "recorded_on",
    "entered_by",
    "approved_by",
    "reason",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A cell's text, neutralised when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _day(moment: datetime | None) -> str:
    return timezone.localdate(moment).isoformat() if moment is not None else ""


def _who(resident: Any, token: RegistrarSystemToken | None) -> str:
    if resident is not None:
        return str(resident.name)
    if token is not None:
        return f"system: {token.name}"
    return ""


def _row(record: CreditRecord) -> list[str]:
    application = record.application
    shared = application.shared_record if isinstance(application.shared_record, dict) else {}
    entered_by = _who(record.entered_by, record.entered_by_token)
    if record.kind == RecordKind.ORIGINAL:
        approved_by = entered_by  # the registrar (or system) who approved the application
    else:
        approved_by = _who(record.second_approver, None)
    in_force = record.status == CreditRecord.Status.EFFECTIVE and not getattr(
        record, "replaced", False
    )
    values: list[object] = [
        record.pk,
        record.application_id,
        shared.get("name", ""),
        record.agreement.subject_code,
        record.agreement.subject_name,
        f"{record.credits:.1f}",
        record.grade,
        record.kind,
        record.status,
        "yes" if in_force else "no",
        record.corrects_id or "",
        shared.get("completed_on") or "",
        _day(application.decided_at),
        _day(record.created_at),
        entered_by,
        approved_by,
        record.reason,
    ]
    return [cell(value) for value in values]


def records_csv(records: Iterable[CreditRecord]) -> str:
    """The export's text: the byte order mark, the header row, one row per entry."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow(_row(record))
    return out.getvalue()


class CsvRenderer(FileRenderer):
    """Clients that ask only for ``text/csv``."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class RecordsCsvApi(APIView):
    authentication_classes = [SessionAuthentication, SystemTokenAuthentication]
    permission_classes = [IsResidentOrSystemToken]
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]

    @extend_schema(
        operation_id="v1_consortium_universities_records_csv",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, university_id: int) -> HttpResponse:
        """Every credit entry shared with my university — originals and corrections, in force
        or not — as CSV (its registrars, or its system's token).  The layout is in
        docs/api.md."""
        token = request.auth if isinstance(request.auth, RegistrarSystemToken) else None
        records = selectors.records_for_export(
            actor=request.user, university_id=university_id, token=token
        )
        response = HttpResponse(records_csv(records), content_type=CSV_CONTENT_TYPE)
        day = timezone.localdate().isoformat()
        response["Cache-Control"] = "no-store"
        response["Content-Disposition"] = (
            f'attachment; filename="credit-records-{university_id}-{day}.csv"'
        )
        return response
