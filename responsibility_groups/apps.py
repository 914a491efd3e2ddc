from django.apps import AppConfig


class ResponsibilityGroupsConfig(AppConfig):
    name = "responsibility_groups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework.basis import basis_dependents_register
        from responsibility_groups.basis import GroupMemberBasis

        # Members whom sharing is covered for by a consent or a mandate are marked when it ends
        # (ADR 0017).
        basis_dependents_register(GroupMemberBasis())
        from responsibility_groups import workflow  # noqa: F401  (registers the meeting's transitions)
