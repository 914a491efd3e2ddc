"""What a login wants to hear about, and how."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.choices import Language


class NotificationPreference(models.Model):
    """One row per login; a login without one gets the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    by_email = models.BooleanField(_("by email"), default=True)
    by_sms = models.BooleanField(_("by SMS"), default=False)
    in_inbox = models.BooleanField(_("in the portal inbox"), default=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.BOKMAAL
    )
    daily_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("Staff: one email each morning instead of one email per notification."),
    )
    plan_pdf_by_email = models.BooleanField(
        _("the plan as PDF by email"),
        default=False,
        help_text=_("Attach the approved individual plan to the email that announces it."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)
