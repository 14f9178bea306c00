"""Vetting: the city checked that an adult may work with children, until a day."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VettingRecord(models.Model):
    """City staff checked this resident for working with children (teaching, organising a
    children's circle, volunteering), valid from ``checked_on`` to ``expires_on`` inclusive."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vettings"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_on = models.DateField(_("checked on"))
    expires_on = models.DateField(_("valid until"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the resident was told that this record ran out (``safeguarding_vetting_expiry``),
    # so that each is told once.
    expiry_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-expires_on", "-id"]
        verbose_name = _("vetting record")
        verbose_name_plural = _("vetting records")
        indexes = [models.Index(fields=["resident", "expires_on"], name="vetting_resident_expiry")]

    def __str__(self) -> str:
        return f"vetting of {self.resident_id} until {self.expires_on}"

    def is_current(self, on: date) -> bool:
        return self.checked_on <= on <= self.expires_on
