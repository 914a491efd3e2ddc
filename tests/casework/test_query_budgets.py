"""Query budgets of the list endpoints: the same number of queries for 1, 10 and 50 rows.

In the style of open-zaak's ``ZaakListPerformanceTests`` and zulip's query-count assertions: each
list is read by a staff member in the unit (the reach is computed from memberships and
representations) and by a superuser (no reach filter), with 1, 10 and 50 rows on one page. A
failing assertion prints the SQL of both requests. The exact budget is pinned as well, so that an
added query is a decision, not an accident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from casework.choices import AccessBasis, StaffRole
from casework.models import AccessLogEntry, Consent, Mandate, Representative, ServiceUser, Unit
from tests.factories import (
    ConsentFactory,
    MandateFactory,
    MembershipFactory,
    RepresentativeFactory,
    ServiceUserFactory,
    UnitFactory,
    UserFactory,
)
from tests.query_budget import QueryLog, count_queries

pytestmark = pytest.mark.django_db

SIZES = (1, 10, 50)


@dataclass
class Scene:
    unit: Unit
    person: ServiceUser  # served by ``unit``; the access log is read about them
    readers: dict[str, Any]


@pytest.fixture
def scene(db: Any) -> Scene:
    unit = UnitFactory(name="Bo- og aktivitetstilbud Nord")
    readers = {
        "caseworker": MembershipFactory(unit=unit, role=StaffRole.CASEWORKER).user,
        "unit_manager": MembershipFactory(unit=unit, role=StaffRole.UNIT_MANAGER).user,
        "superuser": UserFactory(superuser=True),
    }
    return Scene(unit=unit, person=ServiceUserFactory(units=[unit]), readers=readers)


def _person(scene: Scene) -> Any:
    return ServiceUserFactory(units=[scene.unit])


# Each ``grow`` brings the rows the list will show up to ``n`` and returns the URL to read.


def _service_users(scene: Scene, n: int) -> str:
    for _ in range(n - ServiceUser.objects.count()):
        _person(scene)
    return "/api/v1/service-users/"


def _representatives(scene: Scene, n: int) -> str:
    for _ in range(n - Representative.objects.count()):
        RepresentativeFactory(service_user=_person(scene))
    return "/api/v1/representatives/"


def _mandates(scene: Scene, n: int) -> str:
    for _ in range(n - Mandate.objects.count()):
        MandateFactory(representative__service_user=_person(scene))
    return "/api/v1/mandates/"


def _consents(scene: Scene, n: int) -> str:
    for _ in range(n - Consent.objects.count()):
        ConsentFactory(service_user=_person(scene))
    return "/api/v1/consents/"


def _units(scene: Scene, n: int) -> str:
    for _ in range(n - Unit.objects.count()):
        UnitFactory(service_area=scene.unit.service_area)
    return "/api/v1/units/"


def _access_log(scene: Scene, n: int) -> str:
    # The read is logged before the page is listed, so the page shows one row more than stored.
    stored = AccessLogEntry.objects.filter(service_user=scene.person).count()
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            actor=scene.readers["caseworker"],
            actor_role=StaffRole.CASEWORKER,
            service_user=scene.person,
            resource="service_user.detail",
            basis=AccessBasis.UNIT_STAFF,
        )
        for _ in range(n - 1 - stored)
    )
    return f"/api/v1/service-users/{scene.person.pk}/access-log/"


@dataclass(frozen=True)
class Endpoint:
    name: str
    grow: Callable[[Scene, int], str]
    staff: str  # which staff reader may read this list
    budget: dict[str, int]  # reader -> queries per request, whatever the number of rows


# Budget of GET /api/v1/service-users/ for a caseworker (8), line by line:
#   1. SAVEPOINT             ATOMIC_REQUESTS opens a savepoint inside the test's transaction (in
#                            production it is BEGIN, which the execute wrapper does not see).
#   2. casework_staffmembership     reach_for(): the reader's units and roles (active units only).
#   3. casework_representative      reach_for(): whom the reader represents now (EXISTS on a valid
#                            mandate or a relative's consent in force); empty for staff, still asked.
#   4. SELECT COUNT(*)       the paginator's count, filtered by the reach subquery (a UNION of the
#                            unit links and the reader's explicit django-guardian grants).
#   5. casework_serviceuser  the page: the same reach filter, JOIN municipality (select_related),
#                            ORDER BY last_name, first_name, id, LIMIT page_size.
#   6. casework_unit         prefetch of the page's units (one IN query for the whole page), used by
#                            the serializer and by the access log's role and basis.
#   7. INSERT accesslogentry access_log_record(): one bulk INSERT with a row per person on the page.
#   8. RELEASE SAVEPOINT     the end of the request's atomic block.
# A superuser (6) skips lines 2 and 3 (the reach is "everything", decided without a query) and the
# reach subquery disappears from 4 and 5.
ENDPOINTS = [
    Endpoint("service-users", _service_users, "caseworker", {"caseworker": 8, "superuser": 6}),
    Endpoint("representatives", _representatives, "caseworker", {"caseworker": 8, "superuser": 6}),
    Endpoint("mandates", _mandates, "caseworker", {"caseworker": 8, "superuser": 6}),
    Endpoint("consents", _consents, "caseworker", {"caseworker": 8, "superuser": 6}),
    Endpoint("units", _units, "caseworker", {"caseworker": 6, "superuser": 4}),
    Endpoint("access-log", _access_log, "unit_manager", {"unit_manager": 9, "superuser": 7}),
]


def _read(api: Any, user: Any, url: str, n: int) -> QueryLog:
    with count_queries() as log:
        response = api(user).get(url)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == n
    assert len(response.json()["results"]) == n
    return log


def _compare(first: QueryLog, other: QueryLog, rows: int) -> str:
    return (
        f"{len(first)} queries for 1 row, {len(other)} for {rows} rows.\n"
        f"--- 1 row:\n{first.report()}\n--- {rows} rows:\n{other.report()}"
    )


@pytest.mark.parametrize("role", ["staff", "superuser"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_list_query_count_does_not_grow_with_the_rows(scene, api, endpoint, role):
    reader = endpoint.staff if role == "staff" else "superuser"
    user = scene.readers[reader]

    logs = {n: _read(api, user, endpoint.grow(scene, n), n) for n in SIZES}

    for n in SIZES[1:]:
        assert len(logs[n]) == len(logs[1]), _compare(logs[1], logs[n], n)
    assert len(logs[1]) == endpoint.budget[reader], logs[1].report()
