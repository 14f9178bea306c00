"""``manage.py reader_device_register``: register a venue's card reader and show its key once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from campus_social.common.errors import ServiceError
from campus_social.identity import services
from campus_social.identity.management.commands._errors import service_error_text
from campus_social.identity.selectors import OPERATOR

_OPTION_FOR_FIELD = {"name": "--name", "organisation": "--organisation"}


class Command(BaseCommand):
    help = (
        "Register a card reader for a venue of an organisation. Prints the device id and its "
        "key; the key is shown only this once (only a hash of it is kept), so configure the "
        "reader with it straight away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", required=True, help=_("Where the reader stands, e.g. “Town hall 2F”.")
        )
        parser.add_argument(
            "--organisation",
            required=True,
            metavar="SLUG",
            help=_("Code of the organisation the reader belongs to."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            device, key = services.reader_device_register(
                actor=OPERATOR, name=options["name"], organisation_slug=options["organisation"]
            )
        except ServiceError as error:
            raise CommandError(service_error_text(error, _OPTION_FOR_FIELD)) from None
        self.stdout.write(
            _("Registered card reader %(id)d (%(name)s, %(organisation)s).")
            % {"id": device.pk, "name": device.name, "organisation": device.organisation.slug}
        )
        self.stdout.write(_("Key: %(key)s") % {"key": key})
        self.stdout.write(
            _(
                "This key is shown only this once and cannot be recovered: configure the "
                "reader with it now. If it is lost, register the reader again."
            )
        )
