from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """The pre-decision case workflow: cases, the home visit before the decision, the decision."""

    name = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases import workflow  # noqa: F401  (registers the case and home-visit transitions)
