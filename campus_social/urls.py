"""The one place where every app's routes meet.  Pages at the root, the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from campus_social.common import health
from campus_social.identity.admin import OperatorLoginForm

api_v1 = [
    path("", include("campus_social.identity.rest_api.urls")),
    path("", include("campus_social.audit.rest_api.urls")),
    path("", include("campus_social.notifications.rest_api.urls")),
    path("", include("campus_social.checkin.rest_api.urls")),
    path("", include("campus_social.safeguarding.rest_api.urls")),
    path("", include("campus_social.search.rest_api.urls")),
    path("", include("messaging.rest_api.urls")),
    path("", include("courses.rest_api.urls")),
    path("", include("communities.rest_api.urls")),
    path("", include("consortium.credentials.api_urls")),
    path("", include("consortium.rest_api.urls")),
]

# Operators' password sign-in to the admin site is throttled and audited like card sign-in.
admin.site.login_form = OperatorLoginForm

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    # Calendar apps subscribe to a secret address and cannot sign in: not under /api/v1/.
    path("", include("courses.rest_api.calendar")),
    # Named in every credential issued (issuer, keys, status, contexts): never under /api/v1/.
    path("", include("consortium.credentials.urls")),
    path("", include("frontend.urls")),
]

handler403 = "frontend.views.permission_denied"
handler404 = "campus_social.common.api.not_found"
handler500 = "frontend.views.server_error"
