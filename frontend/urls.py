"""The site's pages, all in the one ``frontend`` namespace (``reverse("frontend:…")``): the
site-wide pages here, and each area's pages from its own ``urls`` module, included without a
namespace of its own."""

from django.urls import include, path

from frontend import views

app_name = "frontend"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("language/", views.language, name="language"),
    path("text-size/", views.text_size, name="text-size"),
    path("me/", views.my_page, name="my-page"),
    path("me/sessions/<id:session_id>/end/", views.session_end, name="session-end"),
    path("", include("frontend.notifications.urls")),
    path("", include("frontend.messaging.urls")),
    path("", include("frontend.courses.urls")),
    path("", include("frontend.search.urls")),
    path("", include("frontend.circles.urls")),
    path("", include("frontend.staff.urls")),
    path("", include("frontend.schools.urls")),
    path("", include("frontend.programs.urls")),
    path("", include("frontend.credentials.urls")),
    path("", include("frontend.consortium.urls")),
]
