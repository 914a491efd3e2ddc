"""Choices for the casework core: staff roles, representative kinds, languages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    COORDINATOR = "coordinator", _("Coordinator")
    UNIT_MANAGER = "unit_manager", _("Unit manager")
    QUALITY_ADMIN = "quality_admin", _("Quality administrator")


# Roles that may register and change a person's records in their unit.
CASE_WRITE_ROLES = frozenset({StaffRole.CASEWORKER, StaffRole.UNIT_MANAGER})
# Roles that may read who accessed a person's data (log control, Normen fact sheet 15).
ACCESS_LOG_ROLES = frozenset({StaffRole.UNIT_MANAGER, StaffRole.QUALITY_ADMIN})


class RepresentativeKind(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    RELATIVE = "relative", _("Relative")


class Language(models.TextChoices):
    BOKMAAL = "nb", _("Norwegian bokmål")
    NYNORSK = "nn", _("Norwegian nynorsk")
    ENGLISH = "en", _("English")


class ConsentGiver(models.TextChoices):
    SERVICE_USER = "service_user", _("The service user")
    GUARDIAN = "guardian", _("The guardian on the service user's behalf")


class AccessBasis(models.TextChoices):
    """Why an actor could read a person's data: the 'why' of the access log."""

    SUPERUSER = "superuser", _("System administrator")
    UNIT_STAFF = "unit_staff", _("Staff in a unit serving the person")
    EXPLICIT_GRANT = "explicit_grant", _("Explicit access grant (e.g. plan coordinator)")
    GUARDIAN_MANDATE = "guardian_mandate", _("Guardian with a valid mandate")
    RELATIVE_CONSENT = "relative_consent", _("Relative with the person's consent")


class AccessSource(models.TextChoices):
    """Why a user outside a person's units may see them: one row of the ledger per reason."""

    EXPLICIT = "explicit", _("Explicit grant")
    PLAN = "plan", _("Individual plan")
    GROUP = "group", _("Responsibility group")


class BasisEnd(models.TextChoices):
    """Why a plan participant or group member no longer has the consent or mandate they took part by."""

    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    MANDATE_ENDED = "mandate_ended", _("Mandate ended")
