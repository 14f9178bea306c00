"""The lecturer's grade on a completion, which a university may read as evidence for credit."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import Invalid, NotFound
from campus_social.common.text import text_clean
from campus_social.identity.models import Resident
from courses.models import Completion
from courses.selectors import can_manage_offering

# A grade is short: "A", "B+", "合格", "優".
GRADE_MAX_LENGTH = 20


def completion_grade_set(*, actor: Resident, completion_id: int, grade: str) -> Completion:
    """Give (or change, or clear with ``""``) the grade of one completion.  The offering's
    lecturers and city staff only; anyone else gets ``NotFound`` as for an unknown completion.
    Audited (``courses.completion_graded``) without the grade itself."""
    with transaction.atomic():
        completion = (
            Completion.objects.select_for_update()
            .select_related("offering")
            .filter(pk=completion_id)
            .first()
            if isinstance(completion_id, int)
            else None
        )
        if completion is None or not can_manage_offering(actor, completion.offering):
            raise NotFound(_("No such completion."))
        try:
            cleaned = text_clean(grade).strip() if isinstance(grade, str) else None
        except Invalid as refusal:
            raise Invalid(refusal.message, fields={"grade": [refusal.message]}) from None
        if cleaned is None or len(cleaned) > GRADE_MAX_LENGTH:
            message = _("A grade is at most %(limit)d characters, such as “A” or “合格”.") % {
                "limit": GRADE_MAX_LENGTH
            }
            raise Invalid(message, code="invalid_grade", fields={"grade": [message]})
        completion.grade = cleaned
        completion.graded_at = timezone.now() if cleaned else None
        completion.save(update_fields=["grade", "graded_at"])
        audit_record(actor=actor, action="courses.completion_graded", target=completion)
    return completion
