"""What every API view of the service shares: the actor's reach, computed once per request."""

from __future__ import annotations

from functools import cached_property

from rest_framework import viewsets

from casework.selectors import Reach, reach_for


class ReachViewSet(viewsets.GenericViewSet):
    """A viewset whose reads and writes go through selectors and services with ``self.reach``."""

    @cached_property
    def reach(self) -> Reach:
        return reach_for(self.request.user)
