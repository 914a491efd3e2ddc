"""The demo municipality and scale data: as documented, idempotent, refused in production."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from stdnum.no import fodselsnummer

from casework.demo.municipality import DEMO_PASSWORD, LOGINS
from casework.demo.scale import SCALE_MUNICIPALITY
from casework.models import Consent, Mandate, Representative, ServiceUser, StaffMembership, Unit
from casework.selectors import reach_for, service_user_queryset_for

pytestmark = pytest.mark.django_db


def _counts():
    return [
        model.objects.count()
        for model in (ServiceUser, Unit, StaffMembership, Representative, Mandate, Consent)
    ]


def test_seed_demo_creates_the_documented_logins_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()

    call_command("seed_demo", stdout=io.StringIO())

    assert _counts() == first
    assert first[:2] == [60, 6]
    for spec in LOGINS:
        assert authenticate(username=spec.username, password=DEMO_PASSWORD) is not None, spec.username


def test_demo_logins_reach_what_the_readme_says():
    call_command("seed_demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}

    def visible(name):
        return service_user_queryset_for(reach=reach_for(users[name])).count()

    assert visible("admin") == 60
    assert visible("saksbehandler") == len(
        set(Unit.objects.get(name="Bo- og aktivitetstilbud Nord").service_users.all())
    )
    assert visible("koordinator") == visible("saksbehandler") + 2
    assert visible("verge") == 1
    assert visible("verge_utlopt") == 0
    assert visible("parorende") == 1


def test_demo_national_ids_are_valid():
    call_command("seed_demo", stdout=io.StringIO())

    assert all(
        fodselsnummer.is_valid(value) for value in ServiceUser.objects.values_list("national_id", flat=True)
    )


def test_scale_adds_only_what_is_missing():
    call_command("seed_demo", scale=120, stdout=io.StringIO())
    in_scale = ServiceUser.objects.filter(municipality__number=SCALE_MUNICIPALITY[1])
    assert in_scale.count() == 120

    call_command("seed_demo", scale=120, stdout=io.StringIO())
    assert in_scale.count() == 120

    call_command("seed_demo", scale=150, stdout=io.StringIO())
    assert in_scale.count() == 150


def test_seed_demo_refuses_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    assert ServiceUser.objects.count() == 0


def test_seed_demo_has_a_plan_in_every_state_and_approved_plans_for_the_representatives(client):
    from plans.choices import PlanState
    from plans.models import IndividualPlan

    call_command("seed_demo", stdout=io.StringIO())

    assert set(IndividualPlan.objects.values_list("state", flat=True)) == set(PlanState.values)
    for username in ("verge", "parorende"):
        assert client.login(username=username, password=DEMO_PASSWORD), username
        response = client.get("/api/v1/plans/")
        assert response.status_code == 200, response.content
        plans = response.json()["results"]
        assert len(plans) == 1, username
        plan = IndividualPlan.objects.get(pk=plans[0]["id"])
        assert plan.state == PlanState.ACTIVE
        assert plan.versions.count() >= 2
        client.logout()
