from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "campus_social.audit"
    label = "audit"
    verbose_name = "Audit log"
