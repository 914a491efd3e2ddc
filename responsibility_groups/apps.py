from django.apps import AppConfig


class ResponsibilityGroupsConfig(AppConfig):
    name = "responsibility_groups"
    default_auto_field = "django.db.models.BigAutoField"
