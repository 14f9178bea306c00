"""``manage.py seed_demo_credit``: the consortium in the demo town, after ``seed_demo`` and
``seed_demo_courses`` (it needs the universities, their registrars and the credit-bearing
courses, among them ペン字で美しい手紙を, which ended last month with graded completions).

Two universities recognise town-campus courses:

- 青葉大学 (the registrar persona 伊藤 裕子 and a registrar of the crowd): a cap of 60 credits
  rounded half-up to 0.5; 「青葉の郷土史」 as HIS105 地域史特講 and 「ペン字で美しい手紙を」 as
  ART120 書写基礎, one credit each (45 hours of study: class and self-study), graded S/A/B/C;
- 青葉学院大学 (its registrar of the crowd): a cap of 30 credits rounded down to whole credits;
  「ペン字で美しい手紙を」 as JPN210 日本語表現（書写）for two credits — more than its 45 hours
  give, so the agreement says why (the university sets a writing task of its own).

Residents of the crowd who completed ペン字 applied, with their consent, in each state: one
waits in 青葉大学's queue; one was approved there with B, and the other registrar proposed
correcting it to A — the correction waits for a second registrar (the persona); one was
rejected with a reason; one withdrew at 青葉学院大学 before it was decided; one was approved
there with A (two credits).  The senior persona 高橋 茂 completed ペン字 too and has not
applied: he can try it.

Everything goes through the services, acting as the people who would do it.  Deterministic and
idempotent: the agreements are keyed on their subject codes, and when 青葉大学's first one
exists nothing is changed.  Refused in production.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from campus_social.audit.services import audit_record
from campus_social.identity.management.commands.seed_demo import PERSONAS
from campus_social.identity.models import Organisation, OrganisationRole, Resident
from campus_social.identity.selectors import OPERATOR
from consortium import selectors, services
from consortium.models import CreditAgreement
from courses.selectors import completion_list, offering_get_public, published_offering_ids

PERSONA_LOGIN = {persona.key: persona.login_name for persona in PERSONAS}
AOBA = "aoba-university"
GAKUIN = "aoba-gakuin-university"
HISTORY = "青葉の郷土史 ―城下町から港町へ"
PEN = "ペン字で美しい手紙を"


@dataclass(frozen=True)
class AgreementSpec:
    university: str
    course: str
    subject_code: str
    subject_name: str
    credits: str
    grades: tuple[str, ...]
    mismatch_reason: str = ""


AGREEMENTS = (
    AgreementSpec(
        AOBA, HISTORY, "HIS105", "地域史特講（まちなかキャンパス）", "1", ("S", "A", "B", "C")
    ),
    AgreementSpec(AOBA, PEN, "ART120", "書写基礎（まちなかキャンパス）", "1", ("S", "A", "B", "C")),
    AgreementSpec(
        GAKUIN,
        PEN,
        "JPN210",
        "日本語表現（書写）",
        "2",
        ("A", "B", "C"),
        mismatch_reason="本学の書写課題（30時間）を別に課すため、2単位として認定します。",
    ),
)

# What happened to each application of a completer of ペン字, in order: (university, outcome).
APPLICATIONS = (
    (AOBA, "pending"),
    (AOBA, "corrected"),
    (AOBA, "rejected"),
    (GAKUIN, "withdrawn"),
    (GAKUIN, "approved"),
)


class Command(BaseCommand):
    help = (
        "Add the consortium's demo data (after seed_demo and seed_demo_courses): two "
        "universities' policies and credit agreements, and applications in each state. Safe to "
        "run again. Refused in production mode."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Accepted for symmetry; prints no bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo_credit is refused in production mode.")
        self.universities = {
            organisation.slug: organisation
            for organisation in Organisation.objects.filter(slug__in=(AOBA, GAKUIN))
        }
        # The published offering of each course (one each in the demo town), by course title.
        published = [offering_get_public(offering_id=pk) for pk in published_offering_ids()]
        offerings = {offering.course.title: offering for offering in published}
        if (
            len(self.universities) != 2
            or Resident.objects.filter(login_name=PERSONA_LOGIN["registrar"]).count() != 1
        ):
            raise CommandError("Run seed_demo first: the consortium needs the demo town.")
        if HISTORY not in offerings or PEN not in offerings:
            raise CommandError("Run seed_demo_courses first: the consortium needs its courses.")
        if CreditAgreement.objects.filter(subject_code=AGREEMENTS[0].subject_code).exists():
            self.stdout.write("The demo credit is already there; nothing was changed.")
            return
        self.registrars = self._registrars()
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            self._policies()
            agreements = [self._agreement(spec, offerings) for spec in AGREEMENTS]
            applied = self._applications(offerings[PEN].pk)
            audit_record(
                actor=OPERATOR,
                action="demo.credit_seeded",
                detail={"agreements": len(agreements), "applications": applied},
            )
        registrar = next(p for p in PERSONAS if p.key == "registrar")
        self.stdout.write(
            self.style.SUCCESS(
                f"Credit: {len(agreements)} agreements at 2 universities, {applied} applications."
            )
        )
        self.stdout.write(
            f"Try /registrar/ as {registrar.name} (card {registrar.card_id}, PIN "
            f"{registrar.pin}); docs/demo.md says more."
        )

    def _registrars(self) -> dict[str, list[Resident]]:
        """Each university's registrars: the persona first at 青葉大学, then those of the crowd."""
        registrars: dict[str, list[Resident]] = {}
        for slug, university in self.universities.items():
            registrars[slug] = sorted(
                Resident.objects.filter(
                    roles__organisation=university,
                    roles__role=OrganisationRole.Role.REGISTRAR,
                    is_active=True,
                ).distinct(),
                key=lambda r: (r.login_name != PERSONA_LOGIN["registrar"], r.login_name),
            )
        if len(registrars[AOBA]) < 2 or not registrars[GAKUIN]:
            raise CommandError("Run seed_demo first: the universities need their registrars.")
        return registrars

    def _policies(self) -> None:
        services.policy_set(
            actor=self.registrars[AOBA][0],
            university_id=self.universities[AOBA].pk,
            cap_credits="60",
            rounding="half_up",
            rounding_step="0.5",
        )
        services.policy_set(
            actor=self.registrars[GAKUIN][0],
            university_id=self.universities[GAKUIN].pk,
            cap_credits="30",
            rounding="down",
            rounding_step="1",
        )

    def _agreement(self, spec: AgreementSpec, offerings: dict[str, Any]) -> CreditAgreement:
        today = timezone.localdate()
        return services.agreement_create(
            actor=self.registrars[spec.university][0],
            university_id=self.universities[spec.university].pk,
            course_id=offerings[spec.course].course_id,
            subject_code=spec.subject_code,
            subject_name=spec.subject_name,
            credits=spec.credits,
            grading="scale",
            grades=list(spec.grades),
            # From the start of the school year, so that last month's course is covered.
            valid_from=today.replace(month=4, day=1)
            if today.month >= 4
            else today.replace(year=today.year - 1, month=4, day=1),
            valid_until=None,
            mismatch_reason=spec.mismatch_reason,
        )

    def _applications(self, offering_id: int) -> int:
        """The completers of ペン字 of the crowd, in a fixed order, apply as listed."""
        completers = [
            completion.resident
            for completion in completion_list(offering_id=offering_id).order_by(
                "resident__login_name"
            )
            if completion.resident.login_name.startswith("demo-")
        ]
        made = 0
        for resident, (slug, outcome) in zip(completers, APPLICATIONS, strict=False):
            university = self.universities[slug]
            registrar, second = (self.registrars[slug] + self.registrars[slug])[:2]
            _agreement, record = services.application_preview(
                actor=resident, offering_id=offering_id, university_id=university.pk
            )
            application = services.credit_apply(
                actor=resident,
                offering_id=offering_id,
                university_id=university.pk,
                consent=True,
                digest=services.record_digest(record),
            )
            made += 1
            if outcome == "withdrawn":
                services.credit_withdraw(actor=resident, application_id=application.pk)
            elif outcome == "rejected":
                services.credit_decide(
                    actor=registrar,
                    application_id=application.pk,
                    approve=False,
                    reason="本学の在籍確認ができませんでした。学生証の番号を添えて再申請してください。",
                )
            elif outcome in ("approved", "corrected"):
                services.credit_decide(
                    actor=registrar,
                    application_id=application.pk,
                    approve=True,
                    grade="A" if outcome == "approved" else "B",
                )
                if outcome == "corrected":
                    record_in_force = selectors.records_in_force().get(application=application)
                    # The crowd's registrar proposes; the persona is the second registrar.
                    services.correction_propose(
                        actor=second,
                        record_id=record_in_force.pk,
                        credits=str(record_in_force.credits),
                        grade="A",
                        reason="講師の成績（A）の転記を誤りました。",
                    )
        return made
