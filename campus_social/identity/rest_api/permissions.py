from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from campus_social.identity.selectors import resident_is_city_staff


class IsCityStaff(permissions.IsAuthenticated):
    """Staff routes refuse everyone else before reading any input (services check again)."""

    message = _("Only city staff may do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return super().has_permission(request, view) and resident_is_city_staff(request.user)
