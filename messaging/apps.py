from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from campus_social.notifications.kinds import register_kind
        from messaging.services import NOTIFY_REPORTED

        register_kind(NOTIFY_REPORTED, _("A message was reported in a room I moderate"))
