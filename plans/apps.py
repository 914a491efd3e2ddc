from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework.basis import basis_dependents_register
        from plans.basis import PlanParticipantBasis

        # Participants who take part by a consent or a mandate are marked when it ends (ADR 0017).
        basis_dependents_register(PlanParticipantBasis())
        from plans import workflow  # noqa: F401  (registers the plan's transitions with the engine)
