"""Synthetic scale data for benchmarks: N service users with units, staff, representatives,
mandates, consents and explicit grants, written in bulk.

Everything lives in its own municipality ("Skalakommune") so that it never mixes with the demo
municipality. Re-running with the same or a smaller N adds nothing; a larger N adds the rest.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission, User
from django.db import connection, transaction
from django.utils import timezone

from casework.choices import AccessSource, ConsentGiver, RepresentativeKind, StaffRole
from casework.demo.municipality import DEMO_PASSWORD
from casework.demo.names import FIRST_NAMES, LAST_NAMES, PLACES, RELATIONS, STREETS
from casework.demo.national_ids import national_ids
from casework.models import (
    AccessGrant,
    Consent,
    Mandate,
    Municipality,
    Representative,
    ServiceArea,
    ServiceUser,
    ServiceUserUserObjectPermission,
    StaffMembership,
    Unit,
)
from casework.system import system_actor

SCALE_MUNICIPALITY = ("Skalakommune", "9901")
PEOPLE_PER_UNIT = 1000
BATCH = 2000
# Individual numbers 100–399: the demo municipality uses 400 and up.
SCALE_INDIVIDUAL_START = 100
GRANTS_PER_COORDINATOR = 25


@dataclass(frozen=True)
class ScaleResult:
    created: int
    total: int
    units: int


def scale_unit_name(index: int) -> str:
    return f"Skala enhet {index + 1:03d}"


def scale_username(role: str, unit_index: int) -> str:
    return f"skala_{role}_{unit_index + 1:03d}"


def _units(count: int) -> list[Unit]:
    municipality, _ = Municipality.objects.get_or_create(
        number=SCALE_MUNICIPALITY[1], defaults={"name": SCALE_MUNICIPALITY[0]}
    )
    area, _ = ServiceArea.objects.get_or_create(municipality=municipality, name="Helse og omsorg")
    existing = {unit.name: unit for unit in Unit.objects.filter(service_area=area)}
    missing = [
        Unit(service_area=area, name=scale_unit_name(i))
        for i in range(count)
        if scale_unit_name(i) not in existing
    ]
    Unit.objects.bulk_create(missing)
    return list(Unit.objects.filter(service_area=area).order_by("name")[:count])


def _staff(units: list[Unit]) -> None:
    """A caseworker, a coordinator and a unit manager per unit, all with the demo password."""
    users = get_user_model().objects
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes
    roles = (StaffRole.CASEWORKER, StaffRole.COORDINATOR, StaffRole.UNIT_MANAGER)
    wanted = {scale_username(role, index): (unit, role) for index, unit in enumerate(units) for role in roles}
    existing = set(users.filter(username__in=wanted).values_list("username", flat=True))
    users.bulk_create(
        [
            users.model(username=name, password=password, first_name="Skala", last_name=name)
            for name in wanted
            if name not in existing
        ],
        batch_size=BATCH,
    )
    by_name = dict(users.filter(username__in=wanted).values_list("username", "pk"))
    StaffMembership.objects.bulk_create(
        [
            StaffMembership(user_id=by_name[name], unit=unit, role=role)
            for name, (unit, role) in wanted.items()
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def seed_scale(
    total: int,
    *,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> ScaleResult:
    """Make sure ``total`` synthetic service users exist, reporting progress per batch."""
    unit_count = max(1, math.ceil(total / PEOPLE_PER_UNIT))
    units = _units(unit_count)
    _staff(units)
    municipality = units[0].service_area.municipality
    already = ServiceUser.objects.filter(municipality=municipality).count()
    to_create = max(0, total - already)
    identities = itertools.islice(
        national_ids(start_individual=SCALE_INDIVIDUAL_START), already, already + to_create
    )
    rng = random.Random(already)
    today = timezone.localdate()
    recorder = system_actor()  # synthetic bulk data: no person recorded these consents
    view = Permission.objects.get(content_type__app_label="casework", codename="view_serviceuser")
    coordinators = dict(
        StaffMembership.objects.filter(unit__in=units, role=StaffRole.COORDINATOR).values_list(
            "unit_id", "user_id"
        )
    )
    done = 0
    while done < to_create:
        chunk = list(itertools.islice(identities, BATCH))
        if not chunk:
            raise RuntimeError("ran out of synthetic national identity numbers")
        with transaction.atomic():
            _create_chunk(
                chunk, already + done, units, municipality, rng, today, recorder, view, coordinators
            )
        done += len(chunk)
        progress(already + done, total)
    _refresh_planner_statistics()
    return ScaleResult(created=to_create, total=already + to_create, units=len(units))


def _refresh_planner_statistics() -> None:
    """After a bulk load PostgreSQL's planner still believes the tables are small; tell it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _create_chunk(
    chunk: list[tuple[datetime.date, str]],
    offset: int,
    units: list[Unit],
    municipality: Municipality,
    rng: random.Random,
    today: datetime.date,
    recorder: User | None,
    view: Permission,
    coordinators: dict[int, int],
) -> None:
    people = []
    for born, national_id in chunk:
        postal_code, city = rng.choice(PLACES)
        people.append(
            ServiceUser(
                municipality=municipality,
                national_id=national_id,
                date_of_birth=born,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                address=f"{rng.choice(STREETS)} {rng.randrange(1, 120)}",
                postal_code=postal_code,
                city=city,
            )
        )
    people = ServiceUser.objects.bulk_create(people, batch_size=BATCH)
    through = ServiceUser.units.through
    links, reps = [], []
    for position, person in enumerate(people, start=offset):
        unit = units[(position // PEOPLE_PER_UNIT) % len(units)]
        links.append(through(serviceuser_id=person.pk, unit_id=unit.pk))
        if position % 5 == 0:
            kind = RepresentativeKind.GUARDIAN if position % 10 == 0 else RepresentativeKind.RELATIVE
            reps.append(
                Representative(
                    service_user=person,
                    kind=kind,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=person.last_name,
                    relation=rng.choice(RELATIONS),
                )
            )
    through.objects.bulk_create(links, batch_size=BATCH)
    reps = Representative.objects.bulk_create(reps, batch_size=BATCH)
    Mandate.objects.bulk_create(
        [
            Mandate(
                representative=rep,
                covers_personal=True,
                covers_economic=rep.pk % 3 == 0,
                valid_from=today - datetime.timedelta(days=400),
                certificate_reference=f"VM-S-{rep.pk}",
            )
            for rep in reps
            if rep.kind == RepresentativeKind.GUARDIAN
        ],
        batch_size=BATCH,
    )
    Consent.objects.bulk_create(
        [
            Consent(
                service_user_id=rep.service_user_id,
                representative=rep,
                given_by=ConsentGiver.SERVICE_USER,
                covers_plan=True,
                covers_relative_access=True,
                valid_from=today - datetime.timedelta(days=200),
                recorded_by=recorder,
            )
            for rep in reps
            if rep.kind == RepresentativeKind.RELATIVE
        ],
        batch_size=BATCH,
    )
    # Each coordinator is granted a few people served by the next unit (plans they coordinate).
    grants, reasons = [], []
    now = timezone.now()
    for position, person in enumerate(people, start=offset):
        if position % PEOPLE_PER_UNIT < GRANTS_PER_COORDINATOR:
            unit_index = (position // PEOPLE_PER_UNIT) % len(units)
            coordinator = coordinators.get(units[unit_index - 1].pk)
            if coordinator is not None:
                # An explicit reason in the ledger, and the permission it keeps (bulk, no audit).
                reasons.append(
                    AccessGrant(
                        user_id=coordinator,
                        service_user=person,
                        source=AccessSource.EXPLICIT,
                        reason="Koordinator (skaladata)",
                        since=now,
                    )
                )
                grants.append(
                    ServiceUserUserObjectPermission(
                        user_id=coordinator,
                        content_object=person,
                        permission=view,
                    )
                )
    AccessGrant.objects.bulk_create(reasons, batch_size=BATCH)
    ServiceUserUserObjectPermission.objects.bulk_create(grants, batch_size=BATCH)
