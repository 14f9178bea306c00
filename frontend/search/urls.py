"""The search page (public).  Included into ``frontend.urls`` (namespace ``frontend``)."""

from django.urls import path

from frontend.search import views

urlpatterns = [
    path("search/", views.search_page, name="search"),
]
