"""``GET …/transitions/`` tells the truth for every workflow and every demo login: an option is
``allowed`` exactly when performing it (with well-formed input) answers neither 403 nor 422.

Generated from the engine's registry and the URL conf: a new workflow is covered without a line
here. Every POST runs in a savepoint that is rolled back, so each option is tried on the object as
the demo left it.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from casework.engine import Workflow, workflows
from tests.conftest import client_for
from tests.workflow_examples import (
    DEMO_LOGINS,
    example_body,
    one_per_state,
    workflow_resources,
)

pytestmark = pytest.mark.django_db


def test_every_option_is_allowed_exactly_when_performing_it_is_neither_403_nor_422() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    resources = workflow_resources()
    users = {user.username: user for user in get_user_model().objects.filter(username__in=DEMO_LOGINS)}
    assert sorted(users) == sorted(DEMO_LOGINS)
    assert {w.model for w in workflows()} == set(resources)

    tried: dict[str, int] = {}
    disagreements: list[str] = []
    for workflow in workflows():
        prefix, view = resources[workflow.model]
        objects = one_per_state(workflow)
        assert len(objects) >= 3, f"the demo has {workflow.label} in too few states to test"
        for obj in objects:
            for username, user in users.items():
                api = client_for(user)
                url = f"{prefix}{obj.pk}/transitions/"
                listed = api.get(url)
                if listed.status_code == 404:  # out of reach: the POST must not reveal more
                    with transaction.atomic():
                        response = api.post(f"{url}{_any_step(workflow)}/", {}, format="json")
                        assert response.status_code == 404, (username, url, response.content)
                        transaction.set_rollback(True)
                    continue
                assert listed.status_code == 200, listed.content
                for option in listed.json():
                    with transaction.atomic():
                        response = api.post(f"{url}{option['name']}/", example_body(view, obj), format="json")
                        status = response.status_code
                        transaction.set_rollback(True)
                    tried[workflow.label] = tried.get(workflow.label, 0) + 1
                    if option["allowed"] != (status not in (403, 422)):
                        disagreements.append(
                            f"{username} {workflow.label}#{obj.pk} ({obj.state}) {option['name']}: "
                            f"allowed={option['allowed']} {option['blocked_by']} but POST → {status} "
                            f"{response.content[:200]!r}"
                        )

    assert not disagreements, "\n".join(disagreements)
    assert set(tried) == {w.label for w in workflows()}


def _any_step(workflow: Workflow) -> str:
    return next(step.name for step in workflow.steps if not step.scheduled)
