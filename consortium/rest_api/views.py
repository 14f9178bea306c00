"""The consortium API: the public catalogue and universities; a resident's applications (with
the record they consent to share) and credit; a registrar's agreements, policy, queue,
decisions, records and corrections.

A registrar of another university gets 404 as for an unknown one (and the attempt is audited);
a resident who is no registrar gets 403 ``not_registrar`` on the registrars' routes, before
the body is read.  Another resident's application answers 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campus_social.common.api import Pagination, paginated
from campus_social.common.authentication import AuthenticatedRequest
from campus_social.common.schema import ERROR
from consortium import selectors, services
from consortium.decisions_import import decisions_import
from consortium.rest_api import serializers as s

# --- Public ------------------------------------------------------------------------------------


class CatalogueApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    pagination_class = Pagination

    @extend_schema(auth=[], responses={200: s.CreditAgreementOutput(many=True)})
    def get(self, request: Request) -> Response:
        """Public: which courses count where, as which subject, for how many credits (the
        agreements in force today)."""
        return paginated(self, request, selectors.catalogue(), s.CreditAgreementOutput)


class UniversityListApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    pagination_class = Pagination

    @extend_schema(auth=[], responses={200: s.ConsortiumUniversityOutput(many=True)})
    def get(self, request: Request) -> Response:
        """Public: the universities of the consortium, with their cap and rounding."""
        return paginated(
            self, request, selectors.universities_with_policies(), s.ConsortiumUniversityOutput
        )


# --- Registrars: policy and agreements ---------------------------------------------------------


class PolicyApi(APIView):
    @extend_schema(request=s.CreditPolicyInput, responses={200: s.ConsortiumUniversityOutput})
    def put(self, request: AuthenticatedRequest, university_id: int) -> Response:
        """Set my university's cap and rounding (its registrars)."""
        selectors.registrar_university_get(actor=request.user, university_id=university_id)
        data = s.CreditPolicyInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.policy_set(actor=request.user, university_id=university_id, **data.validated_data)
        university = selectors.universities_with_policies().get(pk=university_id)
        return Response(s.ConsortiumUniversityOutput(university).data)


class AgreementListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.CreditAgreementOutput(many=True)})
    def get(self, request: AuthenticatedRequest, university_id: int) -> Response:
        """My university's agreements, ended ones too (its registrars)."""
        agreements = selectors.agreements_of(actor=request.user, university_id=university_id)
        return paginated(self, request, agreements, s.CreditAgreementOutput)

    @extend_schema(request=s.CreditAgreementInput, responses={201: s.CreditAgreementOutput})
    def post(self, request: AuthenticatedRequest, university_id: int) -> Response:
        """A new agreement.  Credits that differ from the course's hours ÷ 45 (after the
        university's rounding) need ``mismatch_reason`` (400 ``credits_mismatch``); an
        overlapping one for the same course answers 409 ``agreement_overlaps``."""
        selectors.registrar_university_get(actor=request.user, university_id=university_id)
        data = s.CreditAgreementInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        agreement = services.agreement_create(
            actor=request.user, university_id=university_id, **values
        )
        return Response(s.CreditAgreementOutput(agreement).data, status=status.HTTP_201_CREATED)


class AgreementEndApi(APIView):
    @extend_schema(request=s.CreditAgreementEndInput, responses={200: s.CreditAgreementOutput})
    def post(self, request: AuthenticatedRequest, agreement_id: int) -> Response:
        """End an agreement on a day (409 ``already_ends``, ``ends_before_start``)."""
        data = s.CreditAgreementEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = services.agreement_end(
            actor=request.user, agreement_id=agreement_id, **data.validated_data
        )
        return Response(s.CreditAgreementOutput(agreement).data)


# --- Residents: applications and credit ----------------------------------------------------------


class ApplicationPreviewApi(APIView):
    @extend_schema(
        parameters=[s.CreditPreviewQuery],
        responses={200: s.CreditPreviewOutput, 404: ERROR, 409: ERROR},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        """What applying would share with the university, to show before I consent, and its
        ``digest`` to send back.  409 ``not_completed``, ``no_credit``, ``no_agreement``."""
        query = s.CreditPreviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        agreement, record = services.application_preview(
            actor=request.user,
            offering_id=query.validated_data["offering"],
            university_id=query.validated_data["university"],
        )
        body = {"agreement": agreement, "record": record, "digest": services.record_digest(record)}
        return Response(s.CreditPreviewOutput(body).data)


class MyApplicationListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.CreditApplicationOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """My applications, newest first."""
        return paginated(
            self,
            request,
            selectors.my_applications(resident=request.user),
            s.CreditApplicationOutput,
        )

    @extend_schema(request=s.CreditApplicationInput, responses={201: s.CreditApplicationOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        """Apply, consenting to share exactly the previewed record (400 ``consent_required``;
        409 ``not_completed``, ``no_credit``, ``no_agreement``, ``already_applied``,
        ``record_changed``).  Refusals are audited."""
        data = s.CreditApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        application = services.credit_apply(
            actor=request.user,
            offering_id=given["offering"],
            university_id=given["university"],
            consent=given["consent"],
            digest=given["digest"],
        )
        return Response(s.CreditApplicationOutput(application).data, status=status.HTTP_201_CREATED)


class MyApplicationApi(APIView):
    @extend_schema(responses={200: s.CreditApplicationOutput})
    def get(self, request: AuthenticatedRequest, application_id: int) -> Response:
        application = selectors.my_application_get(
            actor=request.user, application_id=application_id
        )
        return Response(s.CreditApplicationOutput(application).data)


class ApplicationWithdrawApi(APIView):
    @extend_schema(request=None, responses={200: s.CreditApplicationOutput})
    def post(self, request: AuthenticatedRequest, application_id: int) -> Response:
        """Withdraw my consent, until the registrar decided (409 ``decided``)."""
        services.credit_withdraw(actor=request.user, application_id=application_id)
        application = selectors.my_application_get(
            actor=request.user, application_id=application_id
        )
        return Response(s.CreditApplicationOutput(application).data)


class MyCreditApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.CreditRecordOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        """My credit in force at every university, newest first."""
        return paginated(
            self, request, selectors.my_credit(resident=request.user), s.CreditRecordOutput
        )


# --- Registrars: queue, decisions, records, corrections ---------------------------------------


class QueueApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.CreditApplicationOutput(many=True)})
    def get(self, request: AuthenticatedRequest, university_id: int) -> Response:
        """My university's pending applications, oldest first, each with the record its
        resident shared (attendance, completion, the lecturer's grade)."""
        queue = selectors.registrar_queue(actor=request.user, university_id=university_id)
        return paginated(self, request, queue, s.CreditApplicationOutput)


class DecisionApi(APIView):
    @extend_schema(request=s.CreditDecisionInput, responses={200: s.CreditApplicationOutput})
    def post(self, request: AuthenticatedRequest, application_id: int) -> Response:
        """Approve with a grade of the agreement's grading, or reject with a reason (400
        ``invalid_grade``, ``reason_required``; 409 ``over_cap``, ``withdrawn``,
        ``decided``)."""
        data = s.CreditDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.credit_decide(
            actor=request.user, application_id=application_id, **data.validated_data
        )
        return Response(s.CreditApplicationOutput(application).data)


class RecordListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: s.CreditRecordOutput(many=True)})
    def get(self, request: AuthenticatedRequest, university_id: int) -> Response:
        """Every credit entry of my university, newest first (corrections awaiting a second
        registrar, settled and refused ones too)."""
        records = selectors.university_records(actor=request.user, university_id=university_id)
        return paginated(self, request, records, s.CreditRecordOutput)


class CorrectionApi(APIView):
    @extend_schema(request=s.CreditCorrectionInput, responses={201: s.CreditRecordOutput})
    def post(self, request: AuthenticatedRequest, record_id: int) -> Response:
        """Propose a corrected entry; it takes effect when a second registrar approves (409
        ``not_in_force``, ``correction_pending``)."""
        selectors.record_for_registrar(actor=request.user, record_id=record_id)
        data = s.CreditCorrectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.correction_propose(
            actor=request.user, record_id=record_id, **data.validated_data
        )
        return Response(s.CreditRecordOutput(proposal).data, status=status.HTTP_201_CREATED)


class CorrectionDecisionApi(APIView):
    @extend_schema(request=s.CreditCorrectionDecisionInput, responses={201: s.CreditRecordOutput})
    def post(self, request: AuthenticatedRequest, record_id: int) -> Response:
        """As a second registrar, approve or refuse a proposed correction: a new entry either
        way (403 ``second_registrar_needed`` for its proposer; 409 ``not_awaiting``,
        ``over_cap``)."""
        data = s.CreditCorrectionDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        settled = services.correction_decide(
            actor=request.user, record_id=record_id, **data.validated_data
        )
        return Response(s.CreditRecordOutput(settled).data, status=status.HTTP_201_CREATED)


class DecisionsImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=s.DecisionsImportInput, responses={200: s.CreditApplicationOutput(many=True)}
    )
    def post(self, request: AuthenticatedRequest, university_id: int) -> Response:
        """Decide many pending applications from a CSV file (``file``; layout in docs/api.md),
        all or none: 400 ``malformed_csv`` with a message per line, or the refusal of the first
        row refused (409 ``over_cap`` …), and nothing is decided."""
        data = s.DecisionsImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        decided = decisions_import(
            actor=request.user, university_id=university_id, data=data.validated_data["file"].read()
        )
        return Response(s.CreditApplicationOutput(decided, many=True).data)
