import django_filters

from plans.choices import PlanState
from plans.models import IndividualPlan


class PlanFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=PlanState.choices)
    # Plain numbers, so that a missing id and one out of reach look the same (an empty list).
    unit = django_filters.NumberFilter()
    service_user = django_filters.NumberFilter()
    coordinator = django_filters.NumberFilter()

    class Meta:
        model = IndividualPlan
        fields = ["state", "unit", "service_user", "coordinator"]
