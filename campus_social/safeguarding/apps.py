from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafeguardingConfig(AppConfig):
    name = "campus_social.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding"

    def ready(self) -> None:
        from campus_social.notifications.kinds import register_kind

        # Email on by default: an adult who may no longer write to children should hear of it
        # even when they do not open the app.
        register_kind(
            "safeguarding.vetting_expired",
            _("My vetting check for working with children ran out"),
            email_default=True,
        )
