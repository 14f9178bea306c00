"""The admin site's sign-in: operators' passwords, throttled and audited as card sign-in is."""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from campus_social.common.errors import ServiceError
from campus_social.identity import services


class OperatorLoginForm(AdminAuthenticationForm):
    """``AdminAuthenticationForm`` with ``services.operator_authenticate`` in place of a bare
    ``authenticate()``, so that every try counts against the sign-in rate limits."""

    def clean(self) -> dict[str, Any]:
        login_name = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if login_name is not None and password:
            assert self.request is not None  # the admin's login view always passes it
            try:
                self.user_cache = services.operator_authenticate(
                    request=self.request, login_name=login_name, password=password
                )
            except ServiceError as refusal:
                raise ValidationError(refusal.message, code=refusal.code) from refusal
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
