"""The consortium's pages: which courses count towards which university (public), a resident's
credit and applications (``views``), and a registrar's queue, agreements, policy and records
(``registrar_views``).  Included into ``frontend.urls`` (namespace ``frontend``)."""

from django.urls import path

from frontend.consortium import registrar_views as registrar
from frontend.consortium import views

UNIVERSITY = "registrar/<id:university_id>/"

urlpatterns = [
    # Everyone, and each resident for themselves.
    path("consortium/", views.catalogue, name="credit-catalogue"),
    path("me/credit/", views.my_credit, name="my-credit"),
    path("me/credit/apply/", views.credit_apply, name="credit-apply"),
    path(
        "me/credit/applications/<id:application_id>/withdraw/",
        views.credit_withdraw,
        name="credit-withdraw",
    ),
    # A university's registrars.
    path("registrar/", registrar.home, name="registrar-home"),
    path(UNIVERSITY + "queue/", registrar.queue, name="registrar-queue"),
    path(UNIVERSITY + "decisions/", registrar.decisions_upload, name="registrar-decisions"),
    path(
        "registrar/applications/<id:application_id>/decide/",
        registrar.decide,
        name="registrar-decide",
    ),
    path(UNIVERSITY + "agreements/", registrar.agreements, name="registrar-agreements"),
    path(
        "registrar/agreements/<id:agreement_id>/end/",
        registrar.agreement_end,
        name="registrar-agreement-end",
    ),
    path(UNIVERSITY + "policy/", registrar.policy, name="registrar-policy"),
    path(UNIVERSITY + "records/", registrar.records, name="registrar-records"),
    path("registrar/records/<id:record_id>/correct/", registrar.correct, name="registrar-correct"),
    path(
        "registrar/records/<id:record_id>/decide/",
        registrar.correction_decide,
        name="registrar-correction-decide",
    ),
]
