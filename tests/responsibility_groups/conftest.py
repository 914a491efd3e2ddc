"""Responsibility groups around the shared ``world`` person, built through the services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casework.selectors import reach_for
from responsibility_groups import services
from tests.factories import ConsentFactory


class GroupBuilder:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.actor = world.actors["caseworker"]

    @property
    def reach(self) -> Any:
        return reach_for(self.actor)

    def group(self, *, sharing_consent: bool = True) -> Any:
        if sharing_consent:
            ConsentFactory(service_user=self.world.person, covers_plan=False, covers_group_sharing=True)
        return services.group_create(
            reach=self.reach, service_user=self.world.person, unit=self.world.unit_a, coordinator=self.actor
        )

    def meeting(self, group: Any = None, *, days: int = 7, hours: float = 1.5, **kwargs: Any) -> Any:
        start = (timezone.now() + datetime.timedelta(days=days)).replace(microsecond=0)
        return services.meeting_create(
            reach=self.reach,
            group=group or self.group(),
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=hours),
            place="Rådhuset, møterom 2",
            agenda=["Status siden sist", "Evaluering av planen"],
            **kwargs,
        )

    def invited(self, **kwargs: Any) -> Any:
        return services.meeting_transition(reach=self.reach, meeting=self.meeting(**kwargs), name="invite")


@pytest.fixture
def groups(world: Any) -> GroupBuilder:
    return GroupBuilder(world)
