from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "campus_social.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from campus_social.identity.services.schools import NOTIFY_GUARDIAN, NOTIFY_SCHOOL
        from campus_social.notifications.kinds import register_kind

        # Email on by default: becoming (or not) a child's guardian is worth hearing of at once.
        register_kind(NOTIFY_GUARDIAN, _("Being linked to a child as guardian"), email_default=True)
        register_kind(NOTIFY_SCHOOL, _("Guardians asking my school to link them to a pupil"))
