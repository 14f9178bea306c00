from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "campus_social.common"
    label = "common"
    verbose_name = "Common helpers"

    def ready(self) -> None:
        # Registers the OpenAPI descriptions of our authentication classes.
        from campus_social.common import schema  # noqa: F401
