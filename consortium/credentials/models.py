"""The credentials the platform has issued: which, for whom, for what, and whether revoked.
The signed credential itself is not kept — it is rebuilt from the record it was issued for —
but its id is, so that verification can tell ours from forgeries and revoked from current."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class IssuedCredential(models.Model):
    class Kind(models.TextChoices):
        ACHIEVEMENT = "achievement", "Open Badges 3.0 AchievementCredential"
        CLR = "clr", "CLR 2.0 ClrCredential"

    credential_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # What it was issued for, as a plain key of the issuing domain: "credit-record:12".
    source = models.CharField(max_length=100)
    key_id = models.CharField(max_length=100)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        app_label = "consortium"
        indexes = [models.Index(fields=["source"], name="consortium_credential_source")]
        constraints = [
            # One current achievement credential per credit: downloading again gives the same.
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(kind="achievement", revoked_at__isnull=True),
                name="consortium_one_current_achievement_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.credential_id}"

    @property
    def urn(self) -> str:
        return self.credential_id.urn
