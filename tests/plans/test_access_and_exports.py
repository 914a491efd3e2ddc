"""Access the plan gives and takes back, reads that are logged, and exports of the live state."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle

from casework.models import AccessGrant, AccessLogEntry, ServiceUserUserObjectPermission
from casework.selectors import reach_for, service_user_queryset_for
from casework.services import service_user_access_grant
from plans import services
from plans.choices import ParticipantKind
from plans.models import Participant
from tests.factories import MembershipFactory, MunicipalityFactory, ServiceAreaFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _sees(user, person) -> bool:
    return service_user_queryset_for(reach=reach_for(user)).filter(pk=person.pk).exists()


def test_removing_a_staff_participant_takes_back_the_access_the_plan_gave(plans, world):
    plan = plans.draft()
    outsider = world.actors["caseworker_other_unit"]
    participant = services.plan_item_create(
        reach=plans.reach, plan=plan, model=Participant, kind=ParticipantKind.STAFF, user=outsider
    )
    assert _sees(outsider, world.person)

    services.plan_item_delete(reach=plans.reach, item=participant)

    assert not _sees(outsider, world.person)
    assert (
        AccessGrant.objects.filter(
            source="plan", source_id=plan.pk, user=outsider, until__isnull=True
        ).count()
        == 0
    )


def test_swapping_a_participant_moves_the_access(plans, world):
    plan = plans.draft()
    first = world.actors["caseworker_other_unit"]
    second = MembershipFactory(unit=world.unit_b).user
    participant = services.plan_item_create(
        reach=plans.reach, plan=plan, model=Participant, kind=ParticipantKind.STAFF, user=first
    )

    services.plan_item_update(reach=plans.reach, item=participant, user=second)

    assert (_sees(first, world.person), _sees(second, world.person)) == (False, True)


def test_withdrawal_leaves_access_the_plan_did_not_give(plans, world):
    outsider = world.actors["caseworker_other_unit"]
    service_user_access_grant(
        reach=None, actor=world.actors["superuser"], service_user=world.person, user=outsider, reason="annet"
    )
    plan = services.plan_create(
        reach=plans.reach, service_user=world.person, unit=world.unit_a, coordinator=outsider
    )
    services.plan_request_consent(reach=plans.reach, plan=plan)

    services.plan_withdraw(reach=plans.reach, plan=plan, comment="Samtykke trukket")

    assert _sees(outsider, world.person)
    assert ServiceUserUserObjectPermission.objects.filter(user=outsider).count() == 1


def test_a_staff_participant_without_a_login_is_400(plans, world, api):
    plan = plans.draft()

    response = api(world.actors["caseworker"]).post(
        f"/api/v1/plans/{plan.pk}/participants/", {"kind": "staff", "role": "lege"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "user"
    assert plan.participants.count() == 0


def test_a_reason_longer_than_the_plan_keeps_is_400(plans, world, api):
    plan = plans.active()

    response = api(world.actors["caseworker"]).post(
        f"/api/v1/plans/{plan.pk}/transitions/put_on_hold/", {"comment": "x" * 501}, format="json"
    )

    assert response.status_code == 400
    plan.refresh_from_db()
    assert plan.state == "active"


def test_nested_lists_answer_and_are_logged(plans, world, api):
    plan = plans.in_preparation()
    client = api(world.actors["unit_manager"])

    for nested, count in (("goals", 2), ("participants", 2), ("measures", 1)):
        response = client.get(f"/api/v1/plans/{plan.pk}/{nested}/")
        assert response.status_code == 200, nested
        assert (response.json()["count"], len(response.json()["results"])) == (count, count)
    assert AccessLogEntry.objects.filter(resource__endswith=".list", service_user=world.person).count() == 3


@pytest.mark.parametrize("tail", ["transitions/", "history/", "versions/"])
def test_workflow_reads_are_logged(plans, world, api, tail):
    plan = plans.active()

    response = api(world.actors["unit_manager"]).get(f"/api/v1/plans/{plan.pk}/{tail}")

    assert response.status_code == 200, response.content
    assert (
        AccessLogEntry.objects.filter(service_user=world.person, actor=world.actors["unit_manager"]).count()
        == 1
    )


@pytest.mark.parametrize(
    ("move", "status"),
    [("put_on_hold", "on-hold"), ("complete", "completed"), ("start_review", "active")],
)
def test_exports_show_the_plans_state_now_not_at_approval(plans, world, api, move, status):
    plan = plans.active()
    getattr(services, f"plan_{move}")(
        reach=plans.reach,
        plan=plan,
        **({"comment": "Grunn"} if move != "start_review" else {}),
        **({"final_evaluation": "Vel gjennomført"} if move == "complete" else {}),
    )

    response = api(world.actors["caseworker"]).get(f"/api/v1/plans/{plan.pk}/fhir")
    assert response.status_code == 200, response.content

    bundle = Bundle.model_validate_json(response.content)
    care_plan = next(e.resource for e in bundle.entry if e.resource.get_resource_type() == "CarePlan")
    assert care_plan.status == status


def test_a_coordinator_from_another_municipality_is_not_found(world, api):
    elsewhere = UnitFactory(service_area=ServiceAreaFactory(municipality=MunicipalityFactory(number="0301")))
    stranger = MembershipFactory(unit=elsewhere).user

    response = api(world.actors["caseworker"]).post(
        "/api/v1/plans/",
        {"service_user": world.person.pk, "unit": world.unit_a.pk, "coordinator": stranger.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "coordinator"


def test_an_administrator_sees_but_does_not_move_a_plan(plans, world, api):
    plan = plans.draft()
    client = api(world.actors["superuser"])

    assert client.get(f"/api/v1/plans/{plan.pk}/").status_code == 200
    assert (
        client.post(f"/api/v1/plans/{plan.pk}/transitions/request_consent/", {}, format="json").status_code
        == 403
    )


def test_a_representatives_list_shows_the_approved_plan_not_the_working_copy(plans, world, api):
    plan = plans.active()
    services.plan_start_review(reach=plans.reach, plan=plan)
    services.plan_update(
        reach=plans.reach, plan=plan, next_review_date=plan.next_review_date.replace(year=2031)
    )

    response = api(world.actors["guardian"]).get("/api/v1/plans/")

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [plan.pk]
    assert "next_review_date" not in rows[0]
    assert not rows[0]["version"]["content"]["plan"]["next_review_date"].startswith("2031")
