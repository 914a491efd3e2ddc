from django.apps import AppConfig


class ResponsibilityGroupsConfig(AppConfig):
    name = "responsibility_groups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from responsibility_groups import workflow  # noqa: F401  (registers the meeting's transitions)
