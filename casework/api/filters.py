"""Query-parameter filters for the casework lists (never on personal identifiers)."""

import django_filters

from casework.choices import Language, RepresentativeKind
from casework.models import Consent, Mandate, Representative, ServiceUser, Unit


class ServiceUserFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(field_name="units", queryset=Unit.objects.all(), distinct=False)
    preferred_language = django_filters.ChoiceFilter(choices=Language.choices)

    class Meta:
        model = ServiceUser
        fields = ["unit", "preferred_language"]


# Ids of people and representatives are filtered as plain numbers: a choice filter would answer
# 400 for a missing id and 200 for one out of reach, and so reveal which ids exist.


class RepresentativeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RepresentativeKind.choices)
    service_user = django_filters.NumberFilter()

    class Meta:
        model = Representative
        fields = ["service_user", "kind"]


class MandateFilter(django_filters.FilterSet):
    service_user = django_filters.NumberFilter(field_name="representative__service_user")
    representative = django_filters.NumberFilter()

    class Meta:
        model = Mandate
        fields = ["representative", "service_user"]


class ConsentFilter(django_filters.FilterSet):
    service_user = django_filters.NumberFilter()
    representative = django_filters.NumberFilter()

    class Meta:
        model = Consent
        fields = [
            "service_user",
            "representative",
            "covers_plan",
            "covers_group_sharing",
            "covers_relative_access",
        ]


class UnitFilter(django_filters.FilterSet):
    class Meta:
        model = Unit
        fields = ["service_area", "is_active"]
