"""The city staff's figure of circles born from courses that live on (``communities``)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campus_social.common.authentication import AuthenticatedHttpRequest
from communities import selectors
from frontend.decorators import staff_page
from frontend.staff.forms import SurvivalForm

SURVIVAL_WEEKS = 8


@staff_page
@require_GET
def staff_circles(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Do circles born from courses live on?  Of those whose course ended at least N weeks ago,
    how many still met or talked N weeks or more after it.  The figures count circles, not
    residents, so there is no small cell to hide."""
    form = SurvivalForm(request.GET or None)
    weeks: int | None = SURVIVAL_WEEKS
    status = 200
    if form.is_bound:
        weeks = form.cleaned_data["weeks"] if form.is_valid() else None
        status = 200 if weeks is not None else 400
    survival = selectors.course_circle_survival(weeks=weeks) if weeks is not None else None
    context = {
        "form": form,
        "survival": survival,
        "percent": round(survival.share * 100)
        if survival is not None and survival.share is not None
        else None,
    }
    return render(request, "frontend/circles/staff_survival.html", context, status=status)
