from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "campus_social.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from campus_social.notifications.kinds import register_kind

        # The core's own kind; feature apps register theirs in their own ready().
        register_kind("system.announcement", _("Announcements from the city"))
