"""Feedback: the anonymous survey after an offering ends."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from campus_social.common.errors import Conflict, Invalid, NotFound
from campus_social.identity.models import Resident
from courses.models import Enrolment, Offering, SurveyReceipt, SurveyResponse
from courses.services._common import _fail, _long_text


def survey_answer(
    *, resident: Resident, offering_id: int, rating: object, comment: str = ""
) -> None:
    """A participant answers once, after the offering has ended.  The answer is kept apart from
    who gave it."""
    offering = Offering.objects.filter(pk=offering_id).first()
    if (
        offering is None
        or not offering.enrolments.filter(
            resident=resident, status=Enrolment.Status.ENROLLED
        ).exists()
    ):
        raise NotFound(_("No such offering of yours."))
    if not offering.has_ended():
        raise Conflict(_("The survey opens when the offering has ended."), code="not_ended")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        # Raised here rather than through _fail so that mypy knows ``rating`` is an int below.
        raise Invalid(
            _("Some of the information is not valid. Please check it."),
            fields={"rating": [_("Choose a rating from 1 to 5.")]},
        )
    comment = _long_text(comment)
    if len(comment) > 2000:
        _fail({"comment": [_("Please use at most %(limit)d characters.") % {"limit": 2000}]})
    try:
        with transaction.atomic():
            SurveyReceipt.objects.create(offering=offering, resident=resident)
            SurveyResponse.objects.create(offering=offering, rating=int(rating), comment=comment)
    except IntegrityError:
        raise Conflict(
            _("You have already answered. Thank you!"), code="already_answered"
        ) from None
