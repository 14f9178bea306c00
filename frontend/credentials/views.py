"""The public page that checks a credential: paste it, read whether it is genuine and unrevoked.
Checking changes nothing, so the answer to the POST is the page itself (a credential is too
long to travel in an address)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from campus_social.common.errors import ServiceError
from campus_social.common.ratelimit import client_address
from consortium.credentials import selectors
from frontend.credentials.forms import CredentialVerifyForm


@never_cache
@require_http_methods(["GET", "POST"])
def credential_verify(request: HttpRequest) -> HttpResponse:
    result = None
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        form = CredentialVerifyForm(request.POST)
        if form.is_valid():
            try:
                result = selectors.credential_verify(
                    token=form.cleaned_data["credential"], client=client_address(request)
                )
            except ServiceError as refusal:
                error = refusal
                form.show_service_error(refusal)
                status = refusal.status
        else:
            status = 400
    else:
        form = CredentialVerifyForm()
    context = {"form": form, "error": error, "result": result}
    return render(request, "frontend/credentials/verify.html", context, status=status)
