from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = "Consortium"

    def ready(self) -> None:
        from campus_social.notifications.kinds import register_kind
        from consortium.services import NOTIFY_CREDIT

        register_kind(NOTIFY_CREDIT, _("Decisions on my credit applications"), email_default=True)
