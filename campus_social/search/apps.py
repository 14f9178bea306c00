from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "campus_social.search"
    label = "search"
    verbose_name = "Search"
