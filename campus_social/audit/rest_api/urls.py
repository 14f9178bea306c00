from django.urls import path

from campus_social.audit.rest_api.views import AuditEventListApi

app_name = "audit"

urlpatterns = [path("staff/audit/", AuditEventListApi.as_view(), name="events")]
