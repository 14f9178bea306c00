from django.urls import path

from consortium.rest_api import credential_views, csv_views, system_views
from consortium.rest_api import views as v

app_name = "consortium"

UNIVERSITY = "consortium/universities/<id:university_id>/"
APPLICATION = "consortium/applications/<id:application_id>/"
RECORD = "consortium/records/<id:record_id>/"

urlpatterns = [
    path("consortium/catalogue/", v.CatalogueApi.as_view(), name="catalogue"),
    path("consortium/universities/", v.UniversityListApi.as_view(), name="universities"),
    path(UNIVERSITY + "policy/", v.PolicyApi.as_view(), name="policy"),
    path(UNIVERSITY + "agreements/", v.AgreementListApi.as_view(), name="agreements"),
    path(UNIVERSITY + "queue/", v.QueueApi.as_view(), name="queue"),
    path(UNIVERSITY + "records/", v.RecordListApi.as_view(), name="records"),
    path(UNIVERSITY + "decisions.csv", v.DecisionsImportApi.as_view(), name="decisions-import"),
    path(
        "consortium/agreements/<id:agreement_id>/end/",
        v.AgreementEndApi.as_view(),
        name="agreement-end",
    ),
    path("consortium/applications/", v.MyApplicationListApi.as_view(), name="applications"),
    path(
        "consortium/applications/preview/",
        v.ApplicationPreviewApi.as_view(),
        name="application-preview",
    ),
    path(APPLICATION, v.MyApplicationApi.as_view(), name="application"),
    path(
        APPLICATION + "withdraw/", v.ApplicationWithdrawApi.as_view(), name="application-withdraw"
    ),
    path(APPLICATION + "decision/", v.DecisionApi.as_view(), name="application-decision"),
    path("consortium/credit/", v.MyCreditApi.as_view(), name="my-credit"),
    path(
        "consortium/credit/<id:record_id>/credential/",
        credential_views.CreditCredentialApi.as_view(),
        name="credit-credential",
    ),
    path("consortium/credit/clr/", credential_views.CreditClrApi.as_view(), name="credit-clr"),
    path(UNIVERSITY + "records.csv", csv_views.RecordsCsvApi.as_view(), name="records-csv"),
    path(RECORD + "corrections/", v.CorrectionApi.as_view(), name="record-corrections"),
    path(RECORD + "decision/", v.CorrectionDecisionApi.as_view(), name="record-decision"),
]

# Registrars' systems: a registrar's tokens, and the routes a token opens (with the CSV above).
urlpatterns += [
    path(UNIVERSITY + "tokens/", system_views.SystemTokenListApi.as_view(), name="system-tokens"),
    path(
        UNIVERSITY + "tokens/<id:token_id>/revoke/",
        system_views.SystemTokenRevokeApi.as_view(),
        name="system-token-revoke",
    ),
    path(
        "consortium/systems/applications/",
        system_views.SystemApplicationListApi.as_view(),
        name="system-applications",
    ),
    path(
        "consortium/systems/applications/<id:application_id>/decision/",
        system_views.SystemDecisionApi.as_view(),
        name="system-decision",
    ),
]
