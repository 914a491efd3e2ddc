"""Whom the person's consent or a guardian's mandate covers for sharing in the group, member by
member; decided for a whole page of members at once (``sharing_missing_for_seats``), with the
same answer as for each member alone (``sharing_missing``)."""

from __future__ import annotations

from typing import Any

import pytest

from casework.selectors import reach_for
from responsibility_groups import services
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import GroupMember
from responsibility_groups.sharing import GROUP_SHARING_CONSENT, sharing_missing
from tests.factories import ConsentFactory, MandateFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db

MISSING = [GROUP_SHARING_CONSENT]


@pytest.fixture
def members(world: Any) -> tuple[Any, dict[str, GroupMember]]:
    """A group of the world's person with every kind of member; the one consent names ``relative``."""
    person = world.person
    group = services.group_create(
        reach=reach_for(world.actors["caseworker"]),
        service_user=person,
        unit=world.unit_a,
        coordinator=world.actors["caseworker"],
    )
    relative = RepresentativeFactory(service_user=person)
    ConsentFactory(service_user=person, representative=relative, covers_plan=False, covers_group_sharing=True)
    rows = {
        "person": group.members.get(kind=MemberKind.SERVICE_USER),
        "coordinator": group.members.get(user=world.actors["caseworker"]),
        "staff": GroupMember(kind=MemberKind.STAFF, user=UserFactory()),
        "guardian": GroupMember(
            kind=MemberKind.REPRESENTATIVE,
            representative=MandateFactory(representative__service_user=person).representative,
        ),
        "guardian_economic_only": GroupMember(
            kind=MemberKind.REPRESENTATIVE,
            representative=MandateFactory(
                representative__service_user=person, economic_only=True
            ).representative,
        ),
        "guardian_expired": GroupMember(
            kind=MemberKind.REPRESENTATIVE,
            representative=MandateFactory(representative__service_user=person, expired=True).representative,
        ),
        "relative_named": GroupMember(kind=MemberKind.REPRESENTATIVE, representative=relative),
        "relative_other": GroupMember(
            kind=MemberKind.REPRESENTATIVE, representative=RepresentativeFactory(service_user=person)
        ),
        "external": GroupMember(kind=MemberKind.EXTERNAL, name="Fastlege"),
    }
    for row in rows.values():
        if row.pk is None:
            row.group = group
            row.save()
    return group, rows


def _listed(api: Any, user: Any, group: Any) -> dict[int, list[str]]:
    response = api(user).get(f"/api/v1/responsibility-groups/{group.pk}/members/")
    assert response.status_code == 200, response.content
    return {row["id"]: row["sharing_missing"] for row in response.json()["results"]}


def _alone(group: Any, member: GroupMember) -> list[str]:
    return sharing_missing(
        service_user_id=group.service_user_id,
        kind=member.kind,
        representative=member.representative,
        is_coordinator=member.user_id == group.coordinator_id,
    )


def test_a_consent_naming_a_relative_covers_that_relative_only(world, api, members):
    group, rows = members

    listed = _listed(api, world.actors["caseworker"], group)

    assert {name: listed[row.pk] for name, row in rows.items()} == {
        "person": [],
        "coordinator": [],
        "staff": MISSING,
        "guardian": [],  # a valid mandate for personal matters acts for the person
        "guardian_economic_only": MISSING,
        "guardian_expired": MISSING,
        "relative_named": [],
        "relative_other": MISSING,
        "external": MISSING,
    }
    assert {row.pk: _alone(group, row) for row in rows.values()} == listed


def test_a_general_consent_covers_every_member(world, api, members):
    group, rows = members
    ConsentFactory(service_user=world.person, covers_plan=False, covers_group_sharing=True)

    listed = _listed(api, world.actors["caseworker"], group)

    assert {name: listed[row.pk] for name, row in rows.items()} == {name: [] for name in rows}
    assert {row.pk: _alone(group, row) for row in rows.values()} == listed
