from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "campus_social.identity"
    label = "identity"
    verbose_name = "Identity"
