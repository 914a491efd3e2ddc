"""A withdrawn consent or an ended mandate, told to the coordinators of the person's plan and group.

One message per open plan and active group of the person, to its coordinator as they are at the
fan-out, saying how many were marked there; nobody else hears of it, and the text names neither
the person nor anything about their health.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casework import events
from casework import services as casework_services
from casework.models import Consent
from casework.selectors import reach_for
from notifications import delivery
from notifications.models import Notification, NotificationPreference, OutboxEvent
from notifications.services import _current_recipient
from plans import services as plan_services
from plans.choices import ParticipantKind
from plans.models import Participant
from responsibility_groups import services as group_services
from responsibility_groups.choices import MemberKind
from tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db


def _relative(world: Any) -> Any:
    return world.actors["relative"].representations.get()


def _setting(world: Any, plans: Any) -> dict[str, Any]:
    """The person's plan (the caseworker coordinates it, the relative takes part), their group
    (unit B's coordinator leads it), and another person's plan with a coordinator of its own."""
    plan = plans.draft()
    plan_services.plan_item_create(
        reach=plans.reach,
        plan=plan,
        model=Participant,
        kind=ParticipantKind.REPRESENTATIVE,
        representative=_relative(world),
    )
    ConsentFactory(service_user=world.person, covers_plan=False, covers_group_sharing=True)
    group = group_services.group_create(
        reach=plans.reach,
        service_user=world.person,
        unit=world.unit_a,
        coordinator=world.actors["coordinator"],
    )
    other = world.actors["caseworker_other_unit"]
    unrelated = plan_services.plan_create(
        reach=reach_for(other), service_user=world.other_person, unit=world.unit_b, coordinator=other
    )
    return {"plan": plan, "group": group, "unrelated": unrelated}


def _withdraw_relatives_consent(world: Any, capture: Any) -> Consent:
    consent = Consent.objects.get(representative=_relative(world))
    with capture(execute=True):
        casework_services.consent_withdraw(reach=reach_for(world.actors["caseworker"]), consent=consent)
    return consent


def test_the_coordinators_of_the_persons_plan_and_group_are_told(
    world: Any, plans: Any, django_capture_on_commit_callbacks: Any
) -> None:
    setting = _setting(world, plans)

    _withdraw_relatives_consent(world, django_capture_on_commit_callbacks)

    event = OutboxEvent.objects.get(event=events.CONSENT_WITHDRAWN)
    plan, group = setting["plan"], setting["group"]
    caseworker, coordinator = world.actors["caseworker"], world.actors["coordinator"]
    assert sorted(
        Notification.objects.values_list("key", "kind", "object_type", "object_id", "recipient_user")
    ) == [
        (
            f"e{event.pk}:groups{group.pk}:u{coordinator.pk}:inbox",
            "group_consent_withdrawn",
            "responsibility_groups.responsibilitygroup",
            str(group.pk),
            coordinator.pk,
        ),
        (
            f"e{event.pk}:plans{plan.pk}:u{caseworker.pk}:inbox",
            "plan_consent_withdrawn",
            "plans.individualplan",
            str(plan.pk),
            caseworker.pk,
        ),
    ]
    assert event.dispatched_at is not None


def test_the_coordinator_of_an_unrelated_plan_hears_nothing(
    world: Any, plans: Any, django_capture_on_commit_callbacks: Any
) -> None:
    setting = _setting(world, plans)

    _withdraw_relatives_consent(world, django_capture_on_commit_callbacks)

    assert not Notification.objects.filter(recipient_user=setting["unrelated"].coordinator).exists()
    assert not Notification.objects.filter(object_id=str(setting["unrelated"].pk)).exists()
    assert Notification.objects.count() == 2


def test_the_text_says_how_many_were_marked_and_names_nobody(
    world: Any, plans: Any, django_capture_on_commit_callbacks: Any
) -> None:
    setting = _setting(world, plans)

    _withdraw_relatives_consent(world, django_capture_on_commit_callbacks)

    plan_message = Notification.objects.get(kind="plan_consent_withdrawn")
    group_message = Notification.objects.get(kind="group_consent_withdrawn")
    assert plan_message.subject == f"Individuell plan {setting['plan'].pk}: et samtykke er trukket tilbake"
    assert (
        "1 deltaker deltok bare på grunnlag av dette samtykket og er nå markert i planen."
        in plan_message.body
    )
    assert "Planen har nå ikke noe gyldig samtykke." in plan_message.body
    assert "Ingen medlemmer i gruppen var bare dekket av dette samtykket." in group_message.body
    person = world.person
    for message in (plan_message, group_message):
        text = message.subject + message.body
        for secret in (person.first_name, person.last_name, person.national_id, person.national_id[:6]):
            assert secret not in text
        assert _relative(world).last_name not in text


def test_a_coordinator_of_both_plan_and_group_gets_a_message_about_each(
    world: Any, plans: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    plan = plans.draft()
    group = groups.group()  # led by the plan's coordinator
    consent = Consent.objects.get(service_user=world.person, covers_group_sharing=True)

    with django_capture_on_commit_callbacks(execute=True):
        casework_services.consent_withdraw(reach=plans.reach, consent=consent)

    rows = Notification.objects.filter(recipient_user=plans.actor)
    assert sorted(rows.values_list("kind", "object_id")) == [
        ("group_consent_withdrawn", str(group.pk)),
        ("plan_consent_withdrawn", str(plan.pk)),
    ]


def test_a_plan_closed_before_the_fan_out_is_announced_to_nobody(world: Any, plans: Any) -> None:
    setting = _setting(world, plans)
    consent = Consent.objects.get(representative=_relative(world))
    casework_services.consent_withdraw(reach=reach_for(world.actors["caseworker"]), consent=consent)
    plan_services.plan_decline(reach=plans.reach, plan=setting["plan"], comment="Ønsker ikke plan")
    event = OutboxEvent.objects.get(event=events.CONSENT_WITHDRAWN)

    delivery.fan_out(event.pk)

    assert list(Notification.objects.values_list("kind", flat=True)) == ["group_consent_withdrawn"]


def test_fanning_out_twice_adds_nothing(
    world: Any, plans: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _setting(world, plans)
    _withdraw_relatives_consent(world, django_capture_on_commit_callbacks)
    event = OutboxEvent.objects.get(event=events.CONSENT_WITHDRAWN)
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)  # as if the first run was lost

    assert delivery.fan_out(event.pk) == []
    assert Notification.objects.count() == 2


def test_the_coordinator_reads_it_in_their_language(
    world: Any, plans: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _setting(world, plans)
    NotificationPreference.objects.create(user=world.actors["coordinator"], language="nn")
    NotificationPreference.objects.create(user=world.actors["caseworker"], language="en")

    _withdraw_relatives_consent(world, django_capture_on_commit_callbacks)

    group_message = Notification.objects.get(kind="group_consent_withdrawn")
    plan_message = Notification.objects.get(kind="plan_consent_withdrawn")
    assert (group_message.language, plan_message.language) == ("nn", "en")
    assert group_message.subject.endswith("eit samtykke er trekt tilbake")
    assert "1 participant took part by that consent alone and is now marked in the plan." in plan_message.body


def test_an_ended_mandate_is_told_with_its_last_valid_day(
    world: Any, plans: Any, django_capture_on_commit_callbacks: Any
) -> None:
    plan = plans.draft()
    guardian = world.actors["guardian"].representations.get()
    plan_services.plan_item_create(
        reach=plans.reach,
        plan=plan,
        model=Participant,
        kind=ParticipantKind.REPRESENTATIVE,
        representative=guardian,
    )
    last_day = timezone.localdate() - datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        casework_services.mandate_end(
            reach=reach_for(world.actors["caseworker"]), mandate=guardian.mandates.get(), valid_to=last_day
        )

    message = Notification.objects.get(kind="plan_mandate_ended", recipient_user=plans.actor)
    assert message.subject == f"Individuell plan {plan.pk}: en vergefullmakt er avsluttet"
    assert f"Siste gyldige dag var {last_day.day}." in message.body
    assert "1 deltaker deltok bare på grunnlag av denne fullmakten og er nå markert i planen." in message.body


def test_a_message_sent_again_by_hand_finds_its_coordinator(
    world: Any, plans: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _setting(world, plans)
    _withdraw_relatives_consent(world, django_capture_on_commit_callbacks)

    found = [_current_recipient(row) for row in Notification.objects.order_by("kind")]

    assert [recipient.user for recipient in found] == [
        world.actors["coordinator"],
        world.actors["caseworker"],
    ]


def test_a_group_member_marked_is_told_nothing(
    world: Any, plans: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group = groups.group()
    external = group_services.member_add(
        reach=groups.reach, group=group, kind=MemberKind.EXTERNAL, name="Fastlege", email="lege@example.no"
    )
    consent = Consent.objects.get(service_user=world.person, covers_group_sharing=True)

    with django_capture_on_commit_callbacks(execute=True):
        casework_services.consent_withdraw(reach=plans.reach, consent=consent)

    assert not Notification.objects.filter(key__contains=f":m{external.pk}:").exists()
    assert list(Notification.objects.values_list("recipient_user", flat=True)) == [groups.actor.pk]


def test_staff_who_reach_the_person_see_the_deliveries_of_a_groups_message(
    world: Any, plans: Any, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    setting = _setting(world, plans)
    _withdraw_relatives_consent(world, django_capture_on_commit_callbacks)
    url = f"/api/v1/notifications/deliveries/?object_type=group&object_id={setting['group'].pk}"

    seen = api(world.actors["unit_manager"]).get(url)
    stranger = api(world.actors["caseworker_other_unit"]).get(url)

    assert seen.status_code == 200, seen.content
    assert [row["kind"] for row in seen.json()["results"]] == ["group_consent_withdrawn"]
    assert stranger.status_code == 404, stranger.content
