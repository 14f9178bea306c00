from django.urls import path

from campus_social.search.rest_api import views

app_name = "search"

urlpatterns = [
    path("search/", views.SearchApi.as_view(), name="search"),
    path("search/suggest/", views.SuggestApi.as_view(), name="suggest"),
]
