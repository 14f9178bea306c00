"""``manage.py consortium_signing_key_create``: print a new private signing key for credentials.

Prints an EC P-256 private JWK (ES256, its RFC 7638 thumbprint as ``kid``) on standard output,
to put in the secret store as ``CREDENTIAL_SIGNING_KEY``; ``--public`` prints the public part of
the configured key instead, to add to ``CREDENTIAL_RETIRED_KEYS`` when it is rotated out.
Nothing is written anywhere (docs/configuration.md: creation and rotation).
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from consortium.credentials import keys


class Command(BaseCommand):
    help = (
        "Print a new private signing key (EC P-256 JWK) for portable credentials, for "
        "CREDENTIAL_SIGNING_KEY. With --public, print the public JWK of the key now configured "
        "(to keep in CREDENTIAL_RETIRED_KEYS after rotating it out)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--public",
            action="store_true",
            help="Print the public part of the configured signing key instead of a new key.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["public"]:
            jwk = keys.public_jwk(keys.signing_key())
        else:
            jwk = keys.generate_private_jwk()
        self.stdout.write(json.dumps(jwk, separators=(",", ":")))
