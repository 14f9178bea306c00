from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = "Consortium"

    def import_models(self) -> None:
        super().import_models()
        # The issued credentials' model lives with the credentials (consortium/credentials/).
        from consortium.credentials import models

        if self.models_module is None:
            self.models_module = models

    def ready(self) -> None:
        from campus_social.notifications.kinds import register_kind
        from consortium.services import NOTIFY_CREDIT

        register_kind(NOTIFY_CREDIT, _("Decisions on my credit applications"), email_default=True)
