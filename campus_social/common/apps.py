from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "campus_social.common"
    label = "common"
    verbose_name = "Common helpers"

    def ready(self) -> None:
        from django.urls import register_converter

        from campus_social.common.ids import IdConverter

        # ``<id:…>`` is ``<id:…>`` bounded to the database's range; every route naming a row
        # uses it, so a 24-digit id answers 404 rather than a 500 from the database driver.
        register_converter(IdConverter, "id")
        # Registers the OpenAPI descriptions of our authentication classes.
        from campus_social.common import schema  # noqa: F401
