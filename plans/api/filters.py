import django_filters

from casework.api.filters import ApiFilterSet, IdFilter
from plans.choices import PlanState
from plans.models import IndividualPlan


class PlanFilter(ApiFilterSet):
    state = django_filters.MultipleChoiceFilter(choices=PlanState.choices)
    unit = IdFilter()
    service_user = IdFilter()
    coordinator = IdFilter()

    class Meta:
        model = IndividualPlan
        fields = ["state", "unit", "service_user", "coordinator"]
