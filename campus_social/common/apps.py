from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "campus_social.common"
    label = "common"
    verbose_name = "Common helpers"
