"""Members whom sharing was covered for by a consent or a mandate are marked when it ends.

The rule is ``sharing_missing``'s, the one invitations and minutes follow (responsibility_groups
.basis): the person and the coordinator always; a guardian by a valid personal mandate; anyone
else by a group-sharing consent in force naming nobody or naming them.
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
from responsibility_groups import services
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import GroupMember
from tests.factories import ConsentFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    return timezone.localdate()


def _sharing_consent(world: Any) -> Consent:
    return Consent.objects.get(service_user=world.person, covers_group_sharing=True, representative=None)


def _add(groups: Any, group: Any, **fields: Any) -> GroupMember:
    return services.member_add(reach=groups.reach, group=group, **fields)


def _marks(*members: GroupMember) -> list[tuple[Any, str]]:
    rows = GroupMember.objects.in_bulk([m.pk for m in members])
    return [(rows[m.pk].basis_ended_at, rows[m.pk].basis_ended_reason) for m in members]


def _withdraw(world: Any, consent: Consent) -> Consent:
    return casework_services.consent_withdraw(reach=reach_for(world.actors["caseworker"]), consent=consent)


def _guardian(world: Any) -> Any:
    return world.actors["guardian"].representations.get()


def test_withdrawing_the_sharing_consent_marks_those_it_alone_covered(world, groups):
    group = groups.group()
    person, coordinator = group.members.order_by("pk")
    staff = _add(groups, group, kind=MemberKind.STAFF, user=world.actors["caseworker_other_unit"])
    external = _add(groups, group, kind=MemberKind.EXTERNAL, name="Fastlege", email="lege@example.no")
    relative = _add(
        groups,
        group,
        kind=MemberKind.REPRESENTATIVE,
        representative=world.actors["relative"].representations.get(),
    )
    guardian = _add(groups, group, kind=MemberKind.REPRESENTATIVE, representative=_guardian(world))

    consent = _withdraw(world, _sharing_consent(world))

    ended = (consent.withdrawn_at, BasisEnd.CONSENT_WITHDRAWN)
    assert _marks(staff, external, relative) == [ended, ended, ended]
    assert _marks(person, coordinator, guardian) == [(None, "")] * 3
    assert (
        GroupMember.objects.filter(pk__in=[staff.pk, external.pk, relative.pk], is_active=True).count() == 3
    )
    assert (
        AuditEvent.objects.filter(action="group.member.basis_end", actor=world.actors["caseworker"]).count()
        == 3
    )


def test_a_member_named_by_a_consent_of_their_own_is_not_marked(world, groups):
    group = groups.group()
    named = RepresentativeFactory(service_user=world.person)
    ConsentFactory(
        service_user=world.person, representative=named, covers_plan=False, covers_group_sharing=True
    )
    member = _add(groups, group, kind=MemberKind.REPRESENTATIVE, representative=named)

    _withdraw(world, _sharing_consent(world))

    assert _marks(member) == [(None, "")]


def test_members_who_left_and_groups_that_stopped_are_not_touched(world, groups):
    old_group = groups.group()
    in_old = _add(groups, old_group, kind=MemberKind.EXTERNAL, name="Fysioterapeut")
    services.group_update(reach=groups.reach, group=old_group, is_active=False)
    group = groups.group(sharing_consent=False)
    left = _add(groups, group, kind=MemberKind.EXTERNAL, name="Ergoterapeut")
    services.member_remove(reach=groups.reach, member=left)

    _withdraw(world, _sharing_consent(world))

    assert _marks(in_old, left) == [(None, ""), (None, "")]


def test_ending_a_guardians_mandate_marks_them_unless_a_consent_covers_them(world, groups):
    group = groups.group(sharing_consent=False)
    guardian = _add(groups, group, kind=MemberKind.REPRESENTATIVE, representative=_guardian(world))
    reach = reach_for(world.actors["caseworker"])

    casework_services.mandate_end(
        reach=reach, mandate=_guardian(world).mandates.get(), valid_to=_today() - datetime.timedelta(days=1)
    )

    ((ended_at, reason),) = _marks(guardian)
    assert (ended_at is not None, reason) == (True, BasisEnd.MANDATE_ENDED)


def test_a_guardian_also_covered_by_the_sharing_consent_keeps_their_place(world, groups):
    group = groups.group()
    guardian = _add(groups, group, kind=MemberKind.REPRESENTATIVE, representative=_guardian(world))

    casework_services.mandate_end(
        reach=reach_for(world.actors["caseworker"]),
        mandate=_guardian(world).mandates.get(),
        valid_to=_today() - datetime.timedelta(days=1),
    )

    assert _marks(guardian) == [(None, "")]


def test_a_new_sharing_consent_clears_the_marks(world, groups):
    group = groups.group()
    external = _add(groups, group, kind=MemberKind.EXTERNAL, name="Fastlege")
    _withdraw(world, _sharing_consent(world))

    casework_services.consent_create(
        reach=reach_for(world.actors["caseworker"]),
        service_user=world.person,
        given_by="service_user",
        covers_group_sharing=True,
        valid_from=_today(),
    )

    assert _marks(external) == [(None, "")]
    assert (
        AuditEvent.objects.filter(action="group.member.basis_restore", object_id=str(external.pk)).count()
        == 1
    )


def test_the_members_list_shows_the_mark(world, groups, api):
    group = groups.group()
    external = _add(groups, group, kind=MemberKind.EXTERNAL, name="Fastlege")
    consent = _withdraw(world, _sharing_consent(world))

    response = api(world.actors["caseworker"]).get(f"/api/v1/responsibility-groups/{group.pk}/members/")

    assert response.status_code == 200, response.content
    rows = {row["id"]: row for row in response.json()["results"]}
    assert datetime.datetime.fromisoformat(rows[external.pk]["basis_ended_at"]) == consent.withdrawn_at
    assert rows[external.pk]["basis_ended_reason"] == "consent_withdrawn"
    assert rows[external.pk]["sharing_missing"] == ["consent: group_information_sharing"]
    assert [rows[pk]["basis_ended_at"] for pk in sorted(rows) if pk != external.pk] == [None, None]
