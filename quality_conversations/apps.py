from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConversationsConfig(AppConfig):
    name = "quality_conversations"
    verbose_name = _("Quality conversations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from quality_conversations import workflow  # noqa: F401  (registers the transitions)
