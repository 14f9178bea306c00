"""``manage.py resident_register``: register a resident with their card, as the counter does.

Scriptable: on success it prints one line with the new resident's id; on failure it exits
non-zero and lists every field's problem.  The card id and the PIN are never printed.
"""

import sys
from datetime import date, datetime
from getpass import getpass
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from campus_social.common.errors import ServiceError
from campus_social.identity import services
from campus_social.identity.management.commands._errors import service_error_text
from campus_social.identity.selectors import OPERATOR

# The service's field names, as the operator typed them on the command line.
_OPTION_FOR_FIELD = {
    "name": "--name",
    "given_name": "--given-name",
    "name_kana": "--name-kana",
    "birth_date": "--birth-date",
    "card_id": "--card-id",
    "pin": "--pin",
    "district": "--district",
    "roles": "--role",
    "guardian_card_id": "--guardian",
    "email": "--email",
    "language": "--language",
}


class Command(BaseCommand):
    help = (
        "Register a resident with their resident card and PIN, as city staff do at the counter. "
        "A resident under 18 needs --guardian (an adult guardian's card id) and is linked to "
        "that guardian. Prints the new resident's id. The PIN is best not given with --pin "
        "(it would stay in the shell history): without --pin the command asks for it when run "
        "in a terminal, and otherwise reads it from the first line of standard input, e.g. "
        "`echo 1234 | manage.py resident_register ...`. The card id and the PIN are never "
        "printed."
    )
    # Tests and scripts may hand the command its own standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", required=True, help=_("Full name: family name, then given name.")
        )
        parser.add_argument(
            "--birth-date", required=True, metavar="YYYY-MM-DD", help=_("Birth date.")
        )
        parser.add_argument(
            "--card-id",
            required=True,
            metavar="CARD_ID",
            help=_("The identifier read from the resident card (never the My Number)."),
        )
        parser.add_argument(
            "--pin",
            default=None,
            help=_(
                "The 4-digit PIN. Omit it to be asked (in a terminal) or to read it from "
                "standard input."
            ),
        )
        parser.add_argument(
            "--district", default="", metavar="SLUG", help=_("Code of the home district.")
        )
        parser.add_argument(
            "--role",
            dest="roles",
            action="append",
            default=[],
            metavar="ORG_SLUG:ROLE",
            help=_("A role in an organisation, e.g. city-office:staff. May be repeated."),
        )
        parser.add_argument(
            "--guardian",
            default="",
            metavar="CARD_ID",
            help=_("For a resident under 18: the card id of an adult guardian."),
        )
        parser.add_argument(
            "--given-name",
            default="",
            help=_("Given name, shown alone for children (default: the last part of --name)."),
        )
        parser.add_argument("--name-kana", default="", help=_("Reading of the name in kana."))
        parser.add_argument("--email", default="", help=_("Email address."))
        parser.add_argument(
            "--language",
            default="ja",
            metavar="|".join(code for code, _name in settings.LANGUAGES),
            help=_("Language of the resident's pages and messages."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        birth_date, birth_date_error = _parse_birth_date(options["birth_date"])
        pin = options["pin"]
        if pin is None:
            pin = self._read_pin(options.get("stdin") or sys.stdin)
        try:
            resident = services.resident_register(
                actor=OPERATOR,
                name=options["name"],
                birth_date=birth_date,
                card_id=options["card_id"],
                pin=pin,
                given_name=options["given_name"],
                name_kana=options["name_kana"],
                district=options["district"],
                email=options["email"],
                language=options["language"],
                roles=[services.RoleGrant.parse(text) for text in options["roles"]],
                guardian_card_id=options["guardian"],
            )
        except ServiceError as error:
            if birth_date_error and "birth_date" in error.fields:
                # The service saw no date; say what was wrong with the one given.
                error.fields["birth_date"] = [birth_date_error]
            raise CommandError(service_error_text(error, _OPTION_FOR_FIELD)) from None
        self.stdout.write(_("Registered resident %(id)d.") % {"id": resident.pk})

    def _read_pin(self, stdin: TextIO) -> str:
        try:
            if stdin.isatty():
                return getpass(_("PIN (4 digits): "))
            line = stdin.readline()
        except (EOFError, KeyboardInterrupt):
            raise CommandError(_("No PIN was given.")) from None
        if not line:
            raise CommandError(
                _("No PIN was given: pass --pin, or give it on the first line of standard input.")
            )
        return line.strip()


def _parse_birth_date(text: str) -> tuple[date | None, str]:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date(), ""
    except ValueError:
        return None, _("Please write the birth date as YYYY-MM-DD, for example 1950-04-01.")
