"""A representative sees only the latest approved version of a plan, through every endpoint.

The list of versions shows one; any other version, a diff with one, and the exports of one answer
404, the same as a version that does not exist. Staff read every version.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

REPRESENTATIVES = ("guardian", "relative")


def _superseded_paths(plan_id: int) -> list[str]:
    return [
        f"/api/v1/plans/{plan_id}/versions/1/",
        f"/api/v1/plans/{plan_id}/versions/1/diff/2/",
        f"/api/v1/plans/{plan_id}/versions/2/diff/1/",
        f"/api/v1/plans/{plan_id}/pdf?version=1",
        f"/api/v1/plans/{plan_id}/fhir?version=1",
    ]


@pytest.mark.parametrize("actor", REPRESENTATIVES)
def test_a_representative_gets_404_for_a_superseded_version(plans, world, api, actor):
    plan = plans.reviewed_twice()  # versions 1 and 2
    client = api(world.actors[actor])

    answers = {path: client.get(path).status_code for path in _superseded_paths(plan.pk)}

    assert answers == dict.fromkeys(_superseded_paths(plan.pk), 404)


@pytest.mark.parametrize("actor", REPRESENTATIVES)
def test_a_representative_lists_only_the_latest_version(plans, world, api, actor):
    plan = plans.reviewed_twice()

    response = api(world.actors[actor]).get(f"/api/v1/plans/{plan.pk}/versions/")

    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == [2]
    assert response.json()["count"] == 1


@pytest.mark.parametrize("actor", REPRESENTATIVES)
def test_a_representative_reads_the_latest_version(plans, world, api, actor):
    plan = plans.reviewed_twice()
    client = api(world.actors[actor])

    version = client.get(f"/api/v1/plans/{plan.pk}/versions/2/")
    fhir = client.get(f"/api/v1/plans/{plan.pk}/fhir?version=2")

    assert (version.status_code, fhir.status_code) == (200, 200)
    assert version.json()["number"] == 2


def test_staff_read_every_version(plans, world, api):
    plan = plans.reviewed_twice()
    client = api(world.actors["caseworker"])

    listed = client.get(f"/api/v1/plans/{plan.pk}/versions/")
    answers = [client.get(path).status_code for path in _superseded_paths(plan.pk) if "pdf" not in path]

    assert listed.status_code == 200
    assert [row["number"] for row in listed.json()["results"]] == [1, 2]
    assert answers == [200, 200, 200, 200]
