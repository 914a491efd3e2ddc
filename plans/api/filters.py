import django_filters

from plans.choices import PlanState
from plans.models import IndividualPlan


class PlanFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=PlanState.choices)

    class Meta:
        model = IndividualPlan
        fields = ["state", "unit", "service_user", "coordinator"]
