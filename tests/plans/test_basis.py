"""Participants who took part by a consent or a mandate are marked when it ends (plans.basis).

A representative takes part in the plan on the basis the access path gives them the plan: a
guardian by a valid personal mandate, a relative by a consent in force naming them that covers
their access and the plan. When a withdrawn consent or an ended mandate leaves them with neither,
their row is marked, not removed; nobody else's row is touched, and a new basis clears the mark.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casework import services as casework_services
from casework.choices import BasisEnd
from casework.models import AuditEvent, Consent
from casework.selectors import reach_for
from plans import services
from plans.choices import ParticipantKind
from plans.models import Participant
from tests.factories import ConsentFactory, RepresentativeFactory, ServiceUserFactory

pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    return timezone.localdate()


def _relative(world: Any) -> Any:
    return world.actors["relative"].representations.get()


def _guardian(world: Any) -> Any:
    return world.actors["guardian"].representations.get()


def _relative_consent(world: Any) -> Consent:
    return Consent.objects.get(representative=_relative(world))


def _take_part(plans: Any, plan: Any, **values: Any) -> Any:
    return services.plan_item_create(reach=plans.reach, plan=plan, model=Participant, **values)


def _representative(plans: Any, plan: Any, representative: Any) -> Any:
    return _take_part(plans, plan, kind=ParticipantKind.REPRESENTATIVE, representative=representative)


def _withdraw(world: Any, consent: Consent) -> Consent:
    return casework_services.consent_withdraw(
        reach=reach_for(world.actors["caseworker"]), consent=consent, reason="Trukket muntlig"
    )


def _marks(*participants: Participant) -> list[tuple[Any, str]]:
    rows = Participant.objects.in_bulk([p.pk for p in participants])
    return [(rows[p.pk].basis_ended_at, rows[p.pk].basis_ended_reason) for p in participants]


def test_withdrawing_a_relatives_consent_marks_them_in_the_open_plan(world, plans):
    plan = plans.draft()
    relative = _representative(plans, plan, _relative(world))

    consent = _withdraw(world, _relative_consent(world))

    assert _marks(relative) == [(consent.withdrawn_at, BasisEnd.CONSENT_WITHDRAWN)]
    assert Participant.objects.filter(pk=relative.pk).exists()  # marked, not removed


def test_only_those_there_by_that_consent_alone_are_marked(world, plans):
    plan = plans.fill(plans.draft())  # the person, a staff participant, the consent to the plan
    guardian = _representative(plans, plan, _guardian(world))
    never_covered = _representative(
        plans, plan, world.actors["relative_without_consent"].representations.get()
    )
    twice_covered_rep = RepresentativeFactory(service_user=world.person)
    first = ConsentFactory(service_user=world.person, representative=twice_covered_rep, relative_access=True)
    ConsentFactory(service_user=world.person, representative=twice_covered_rep, relative_access=True)
    twice_covered = _representative(plans, plan, twice_covered_rep)
    _take_part(plans, plan, kind=ParticipantKind.EXTERNAL, name="Fastlege", organisation="Legesenter")
    _take_part(plans, plan, kind=ParticipantKind.STAFF, user=world.actors["caseworker_other_unit"])
    everyone = list(plan.participants.all())

    _withdraw(world, first)
    _withdraw(world, plan.consent)  # the consent to the plan itself: the plan's own matter

    # The person, the coordinator, another unit's caseworker, the external professional, the
    # guardian (valid mandate), a relative never covered, and one covered twice over.
    assert len(everyone) == 7
    assert _marks(*everyone) == [(None, "")] * 7
    assert {guardian.pk, never_covered.pk, twice_covered.pk} < {p.pk for p in everyone}


def test_participants_of_a_closed_plan_or_of_someone_else_are_not_touched(world, plans):
    declined = plans.draft()
    in_declined = _representative(plans, declined, _relative(world))
    services.plan_decline(reach=plans.reach, plan=declined, comment="Ønsker ikke plan nå")
    open_plan = plans.draft()
    in_open = _representative(plans, open_plan, _relative(world))
    stranger = ServiceUserFactory(units=[world.unit_a])
    stranger_rep = RepresentativeFactory(service_user=stranger)
    stranger_consent = ConsentFactory(
        service_user=stranger, representative=stranger_rep, relative_access=True
    )
    stranger_plan = services.plan_create(
        reach=plans.reach, service_user=stranger, unit=world.unit_a, coordinator=plans.actor
    )
    in_stranger = _representative(plans, stranger_plan, stranger_rep)

    consent = _withdraw(world, _relative_consent(world))

    assert _marks(in_declined, in_open, in_stranger) == [
        (None, ""),
        (consent.withdrawn_at, BasisEnd.CONSENT_WITHDRAWN),
        (None, ""),
    ]
    assert stranger_consent.is_in_force()


def test_ending_a_guardians_mandate_marks_the_guardian(world, plans):
    plan = plans.draft()
    guardian = _representative(plans, plan, _guardian(world))
    relative = _representative(plans, plan, _relative(world))
    mandate = _guardian(world).mandates.get()

    casework_services.mandate_end(
        reach=reach_for(world.actors["caseworker"]),
        mandate=mandate,
        valid_to=_today() - datetime.timedelta(days=1),
    )

    (ended_at, reason), relative_mark = _marks(guardian, relative)
    assert reason == BasisEnd.MANDATE_ENDED
    assert ended_at is not None
    assert relative_mark == (None, "")


def test_a_mandate_that_still_counts_today_marks_nobody_yet(world, plans):
    plan = plans.draft()
    guardian = _representative(plans, plan, _guardian(world))

    casework_services.mandate_end(
        reach=reach_for(world.actors["caseworker"]),
        mandate=_guardian(world).mandates.get(),
        valid_to=_today(),
    )

    assert _marks(guardian) == [(None, "")]  # the last valid day counts (inclusive)


def test_each_mark_is_audited_with_the_actor(world, plans):
    plan = plans.draft()
    relative = _representative(plans, plan, _relative(world))

    consent = _withdraw(world, _relative_consent(world))

    event = AuditEvent.objects.get(action="plan.participant.basis_end")
    assert (event.actor, event.actor_role, event.object_id, event.service_user) == (
        world.actors["caseworker"],
        "caseworker",
        str(relative.pk),
        world.person,
    )
    assert event.changes == {
        "basis_ended_at": [None, consent.withdrawn_at.isoformat()],
        "basis_ended_reason": [None, "consent_withdrawn"],
    }
    assert event.comment == f"consent #{consent.pk}"


def test_a_new_consent_that_covers_them_again_clears_the_mark(world, plans):
    plan = plans.draft()
    relative = _representative(plans, plan, _relative(world))
    _withdraw(world, _relative_consent(world))
    caseworker = world.actors["caseworker"]

    casework_services.consent_create(
        reach=reach_for(caseworker),
        service_user=world.person,
        given_by="service_user",
        representative=_relative(world),
        covers_plan=True,
        covers_relative_access=True,
        valid_from=_today(),
    )

    assert _marks(relative) == [(None, "")]
    restored = AuditEvent.objects.get(action="plan.participant.basis_restore")
    assert (restored.actor, restored.object_id) == (caseworker, str(relative.pk))
    assert restored.changes["basis_ended_reason"] == ["consent_withdrawn", ""]


def test_a_consent_that_starts_later_does_not_clear_the_mark_now(world, plans):
    plan = plans.draft()
    relative = _representative(plans, plan, _relative(world))
    consent = _withdraw(world, _relative_consent(world))

    casework_services.consent_create(
        reach=reach_for(world.actors["caseworker"]),
        service_user=world.person,
        given_by="service_user",
        representative=_relative(world),
        covers_plan=True,
        covers_relative_access=True,
        valid_from=_today() + datetime.timedelta(days=3),
    )

    assert _marks(relative) == [(consent.withdrawn_at, BasisEnd.CONSENT_WITHDRAWN)]
    assert not AuditEvent.objects.filter(action="plan.participant.basis_restore").exists()


def test_a_new_mandate_or_a_moved_end_clears_the_guardians_mark(world, plans):
    plan = plans.draft()
    guardian = _representative(plans, plan, _guardian(world))
    mandate = _guardian(world).mandates.get()
    reach = reach_for(world.actors["caseworker"])
    casework_services.mandate_end(
        reach=reach, mandate=mandate, valid_to=_today() - datetime.timedelta(days=1)
    )
    assert _marks(guardian)[0][1] == BasisEnd.MANDATE_ENDED

    casework_services.mandate_end(
        reach=reach, mandate=mandate, valid_to=_today() + datetime.timedelta(days=30)
    )
    assert _marks(guardian) == [(None, "")]

    casework_services.mandate_end(
        reach=reach, mandate=mandate, valid_to=_today() - datetime.timedelta(days=1)
    )
    casework_services.mandate_create(
        reach=reach,
        representative=_guardian(world),
        covers_personal=True,
        covers_economic=False,
        valid_from=_today(),
        valid_to=None,
        certificate_reference="VM-NY-1",
    )
    assert _marks(guardian) == [(None, "")]


def test_editing_a_participant_read_before_the_mark_keeps_the_mark(world, plans):
    plan = plans.draft()
    relative = _representative(plans, plan, _relative(world))
    stale = Participant.objects.get(pk=relative.pk)  # read by a request before the withdrawal
    consent = _withdraw(world, _relative_consent(world))

    services.plan_item_update(reach=plans.reach, item=stale, contribution="Deltar på møter.")

    assert _marks(relative) == [(consent.withdrawn_at, BasisEnd.CONSENT_WITHDRAWN)]
    assert Participant.objects.get(pk=relative.pk).contribution == "Deltar på møter."


def test_the_api_shows_the_mark_and_does_not_take_it(world, plans, api):
    plan = plans.draft()
    relative = _representative(plans, plan, _relative(world))
    consent = _withdraw(world, _relative_consent(world))
    client = api(world.actors["caseworker"])
    url = f"/api/v1/plans/{plan.pk}/participants/"

    listed = client.get(url)
    changed = client.patch(f"{url}{relative.pk}/", {"basis_ended_at": None}, format="json")

    assert listed.status_code == 200, listed.content
    row = next(item for item in listed.json()["results"] if item["id"] == relative.pk)
    assert datetime.datetime.fromisoformat(row["basis_ended_at"]) == consent.withdrawn_at
    assert row["basis_ended_reason"] == "consent_withdrawn"
    assert changed.status_code == 400, changed.content
    assert [e["field"] for e in changed.json()["errors"]] == ["basis_ended_at"]
    assert _marks(relative) == [(consent.withdrawn_at, BasisEnd.CONSENT_WITHDRAWN)]
