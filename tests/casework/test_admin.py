"""The casework admin: audited writes, masked national ids, logged reads, the access path."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum.no import fodselsnummer

from casework.choices import AccessBasis, ConsentGiver, RepresentativeKind, StaffRole
from casework.models import (
    AccessLogEntry,
    ApiToken,
    AuditEvent,
    Consent,
    LoginThrottle,
    Mandate,
    Municipality,
    OutboxEvent,
    Representative,
    ServiceArea,
    ServiceUser,
    ServiceUserUserObjectPermission,
    StaffMembership,
    Unit,
)
from casework.services import service_user_access_grant

pytestmark = pytest.mark.django_db

VALID_ID = "15076500565"  # born 15 July 1965


def national_id_born(day: datetime.date, serial: int) -> str:
    """A valid fødselsnummer for ``day``: the first individual number with valid check digits."""
    for individual in range(serial, 500):
        base = f"{day:%d%m%y}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(base)
        candidate = base + first + fodselsnummer.calc_check_digit2(base + first)
        if fodselsnummer.is_valid(candidate):
            return candidate
    raise AssertionError("no valid number")


@pytest.fixture
def municipality() -> Municipality:
    return Municipality.objects.create(name="Bergen", number="4601")


@pytest.fixture
def area(municipality: Municipality) -> ServiceArea:
    return ServiceArea.objects.create(municipality=municipality, name="Helse og omsorg")


@pytest.fixture
def unit_a(area: ServiceArea) -> Unit:
    return Unit.objects.create(service_area=area, name="Unit A")


@pytest.fixture
def unit_b(area: ServiceArea) -> Unit:
    return Unit.objects.create(service_area=area, name="Unit B")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x-pass-123")


@pytest.fixture
def admin_web(client, superuser):
    client.force_login(superuser)
    return client


def make_person(unit: Unit, first_name: str, last_name: str, serial: int) -> ServiceUser:
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=serial)
    person = ServiceUser.objects.create(
        municipality=unit.service_area.municipality,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=born,
        national_id=national_id_born(born, serial),
    )
    person.units.add(unit)
    return person


def add_form_data(unit: Unit, **overrides: object) -> dict[str, object]:
    return {
        "municipality": unit.service_area.municipality_id,
        "first_name": "Kari",
        "last_name": "Nordmann",
        "date_of_birth": "1965-07-15",
        "national_id": VALID_ID,
        "units": [unit.pk],
        "preferred_language": "nb",
        "_save": "Save",
        **overrides,
    }


ADD_URL = reverse("admin:casework_serviceuser_add")
LIST_URL = reverse("admin:casework_serviceuser_changelist")


def change_url(person: ServiceUser) -> str:
    return reverse("admin:casework_serviceuser_change", args=[person.pk])


# --- Writes are audited --------------------------------------------------------------------


def test_add_service_user_creates_the_row_and_one_audit_event_with_a_masked_id(admin_web, superuser, unit_a):
    response = admin_web.post(ADD_URL, add_form_data(unit_a))

    assert response.status_code == 302
    person = ServiceUser.objects.get()
    assert person.national_id == VALID_ID
    assert list(person.units.all()) == [unit_a]
    event = AuditEvent.objects.get()
    assert event.action == "serviceuser.admin_create"
    assert (event.actor, event.actor_role, event.service_user) == (superuser, "admin", person)
    assert event.object_id == str(person.pk)
    assert event.changes["national_id"] == [None, "150765*****"]
    assert event.changes["units"] == [None, [unit_a.pk]]
    assert VALID_ID not in json.dumps(event.changes)


def test_add_service_user_with_an_invalid_national_id_shows_the_error_and_creates_nothing(admin_web, unit_a):
    response = admin_web.post(ADD_URL, add_form_data(unit_a, national_id="15076500564"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors["national_id"]] == ["invalid_checksum"]
    assert ServiceUser.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_add_service_user_with_a_date_of_birth_that_contradicts_the_id_is_refused(admin_web, unit_a):
    response = admin_web.post(ADD_URL, add_form_data(unit_a, date_of_birth="1965-07-16"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors["date_of_birth"]] == ["mismatch"]
    assert ServiceUser.objects.count() == 0


def test_changing_a_service_user_audits_only_the_changed_fields(admin_web, unit_a, unit_b):
    person = make_person(unit_a, "Ola", "Hansen", 1)
    data = add_form_data(
        unit_a,
        first_name="Ola",
        last_name="Berg",
        date_of_birth=person.date_of_birth.isoformat(),
        national_id=person.national_id,
        units=[unit_a.pk, unit_b.pk],
    )

    response = admin_web.post(change_url(person), data)

    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert event.action == "serviceuser.admin_update"
    assert event.changes == {
        "last_name": ["Hansen", "Berg"],
        "units": [[unit_a.pk], sorted([unit_a.pk, unit_b.pk])],
    }


def test_deleting_a_person_that_log_rows_protect_shows_the_protected_page(admin_web, unit_a):
    person = make_person(unit_a, "Ola", "Hansen", 1)
    change_page = admin_web.get(change_url(person))  # one access-log row now PROTECTs the person
    assert change_page.status_code == 200, change_page.content
    delete_url = reverse("admin:casework_serviceuser_delete", args=[person.pk])

    response = admin_web.post(delete_url, {"post": "yes"})

    assert response.status_code == 200
    assert len(response.context["protected"]) == 1
    assert ServiceUser.objects.filter(pk=person.pk).exists()
    assert AuditEvent.objects.count() == 0


def test_mandate_added_inline_on_a_guardian_is_audited_for_the_person(admin_web, unit_a):
    person = make_person(unit_a, "Ola", "Hansen", 1)
    guardian = Representative.objects.create(
        service_user=person, kind=RepresentativeKind.GUARDIAN, first_name="Per", last_name="Verge"
    )
    data = {
        "service_user": person.pk,
        "kind": RepresentativeKind.GUARDIAN,
        "first_name": "Per",
        "last_name": "Verge",
        "mandates-TOTAL_FORMS": "1",
        "mandates-INITIAL_FORMS": "0",
        "mandates-0-covers_personal": "on",
        "mandates-0-valid_from": "2025-01-01",
        "mandates-0-certificate_reference": "VA-1",
        "_save": "Save",
    }

    response = admin_web.post(reverse("admin:casework_representative_change", args=[guardian.pk]), data)

    assert response.status_code == 302
    mandate = Mandate.objects.get()
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.service_user) == (
        "mandate.admin_create",
        str(mandate.pk),
        person,
    )
    assert event.changes["representative"] == [None, guardian.pk]


def test_bulk_delete_audits_each_object_with_what_it_held(admin_web, superuser):
    kept = Municipality.objects.create(name="Kept", number="0301")
    doomed = [Municipality.objects.create(name=f"M{n}", number=f"99{n:02d}") for n in range(2)]
    url = reverse("admin:casework_municipality_changelist")
    data = {"action": "delete_selected", "_selected_action": [m.pk for m in doomed], "post": "yes"}

    response = admin_web.post(url, data)

    assert response.status_code == 302
    assert list(Municipality.objects.all()) == [kept]
    events = AuditEvent.objects.order_by("id")
    assert [(e.action, e.object_id, e.service_user) for e in events] == [
        ("municipality.admin_delete", str(m.pk), None) for m in doomed
    ]
    assert events[0].changes == {
        "id": [doomed[0].pk, None],
        "name": ["M0", None],
        "number": ["9900", None],
        "conversations_month": [1, None],
        "conversations_day": [15, None],
    }


def test_bulk_delete_of_protected_rows_shows_the_protected_page(admin_web, area):
    url = reverse("admin:casework_municipality_changelist")
    data = {"action": "delete_selected", "_selected_action": [area.municipality_id], "post": "yes"}

    response = admin_web.post(url, data)

    assert response.status_code == 200
    assert len(response.context["protected"]) == 1
    assert Municipality.objects.count() == 1
    assert AuditEvent.objects.count() == 0


# --- Reads are logged and never show the full national id -----------------------------------


def test_opening_the_change_page_logs_one_access_for_that_person(admin_web, superuser, unit_a):
    person = make_person(unit_a, "Ola", "Hansen", 1)

    response = admin_web.get(change_url(person))

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.actor, entry.service_user, entry.resource, entry.basis) == (
        superuser,
        person,
        "admin.service_user.detail",
        AccessBasis.SUPERUSER,
    )


def test_changelist_masks_the_national_id_and_logs_one_row_per_person_shown(admin_web, unit_a):
    people = [make_person(unit_a, "Ola", "Hansen", 1), make_person(unit_a, "Eva", "Lie", 2)]

    response = admin_web.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    for person in people:
        assert person.national_id not in html
        assert person.masked_national_id in html
    entries = AccessLogEntry.objects.filter(resource="admin.service_user.list")
    assert sorted(entries.values_list("service_user_id", flat=True)) == sorted(p.pk for p in people)
    assert AccessLogEntry.objects.count() == 2


@pytest.mark.parametrize("extra", [1, 9])
def test_changelist_query_count_does_not_grow_with_the_rows_shown(admin_web, unit_a, unit_b, extra):
    make_person(unit_a, "Ola", "Hansen", 1)
    warm_up = admin_web.get(LIST_URL)  # session and content types
    assert warm_up.status_code == 200, warm_up.content
    with CaptureQueriesContext(connection) as baseline:
        first = admin_web.get(LIST_URL)
    assert first.status_code == 200, first.content
    for serial in range(2, 2 + extra):
        make_person(unit_b if serial % 2 else unit_a, "Eva", f"Lie{serial}", serial)

    with CaptureQueriesContext(connection) as more:
        second = admin_web.get(LIST_URL)

    assert second.status_code == 200, second.content
    assert len(more) == len(baseline), "\n".join(q["sql"] for q in more.captured_queries)


def test_filtering_the_changelist_by_national_id_in_the_url_is_refused(admin_web, unit_a):
    person = make_person(unit_a, "Ola", "Hansen", 1)

    response = admin_web.get(LIST_URL, {"national_id": person.national_id})

    assert response.status_code == 400
    assert AccessLogEntry.objects.count() == 0


# --- The audit trail is read-only ----------------------------------------------------------


def test_audit_event_change_post_is_refused_and_the_row_is_unchanged(admin_web, superuser):
    event = AuditEvent.objects.create(
        actor=superuser,
        actor_username="root",
        action="unit.admin_create",
        object_type="casework.unit",
        object_id="1",
        comment="original",
    )
    url = reverse("admin:casework_auditevent_change", args=[event.pk])

    response = admin_web.post(url, {"action": "forged", "comment": "rewritten"})

    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.action, event.comment) == ("unit.admin_create", "original")


# --- Staff admins see only people in reach -------------------------------------------------


@pytest.fixture
def caseworker_web(client, django_user_model, unit_a):
    user = django_user_model.objects.create_user("cw", password="x-pass-123", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="casework", codename="view_serviceuser")
    )
    StaffMembership.objects.create(user=user, unit=unit_a, role=StaffRole.CASEWORKER)
    client.force_login(user)
    return client


def test_staff_admin_sees_people_of_their_unit_in_the_changelist(caseworker_web, unit_a, unit_b):
    mine = make_person(unit_a, "Ola", "Hansen", 1)
    other = make_person(unit_b, "Eva", "Lie", 2)

    response = caseworker_web.get(LIST_URL)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    assert other.last_name not in response.content.decode()
    entry = AccessLogEntry.objects.get()
    assert (entry.service_user, entry.basis, entry.actor_role) == (
        mine,
        AccessBasis.UNIT_STAFF,
        StaffRole.CASEWORKER,
    )


def test_staff_admin_sees_only_representatives_of_people_in_reach(
    caseworker_web, django_user_model, unit_a, unit_b
):
    user = django_user_model.objects.get(username="cw")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="casework", codename="view_representative")
    )
    mine = Representative.objects.create(
        service_user=make_person(unit_a, "Ola", "Hansen", 1),
        kind=RepresentativeKind.RELATIVE,
        first_name="Siri",
        last_name="Hansen",
    )
    Representative.objects.create(
        service_user=make_person(unit_b, "Eva", "Lie", 2),
        kind=RepresentativeKind.RELATIVE,
        first_name="Tor",
        last_name="Lie",
    )

    response = caseworker_web.get(reverse("admin:casework_representative_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    entry = AccessLogEntry.objects.get()
    assert (entry.service_user, entry.resource) == (mine.service_user, "admin.representative.list")


def test_staff_admin_is_redirected_from_a_person_out_of_reach_as_if_missing(caseworker_web, unit_b):
    other = make_person(unit_b, "Eva", "Lie", 2)

    response = caseworker_web.get(change_url(other))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert AccessLogEntry.objects.count() == 0


# --- Every page renders ---------------------------------------------------------------------


@pytest.fixture
def one_of_each(superuser, unit_a):
    person = make_person(unit_a, "Ola", "Hansen", 1)
    guardian = Representative.objects.create(
        service_user=person, kind=RepresentativeKind.GUARDIAN, first_name="Per", last_name="Verge"
    )
    Mandate.objects.create(
        representative=guardian,
        covers_personal=True,
        valid_from=datetime.date(2025, 1, 1),
        certificate_reference="VA-1",
    )
    Consent.objects.create(
        service_user=person,
        given_by=ConsentGiver.SERVICE_USER,
        covers_plan=True,
        valid_from=datetime.date(2025, 1, 1),
        recorded_by=superuser,
    )
    StaffMembership.objects.create(user=superuser, unit=unit_a, role=StaffRole.UNIT_MANAGER)
    service_user_access_grant(reach=None, actor=superuser, service_user=person, user=superuser, reason="x")
    AuditEvent.objects.create(actor=superuser, actor_username="root", action="x", object_id="1")
    AccessLogEntry.objects.create(
        actor=superuser, actor_role="superuser", service_user=person, resource="x", basis="superuser"
    )
    LoginThrottle.objects.create(username="someone", failures=3)
    OutboxEvent.objects.create(event="plan.created", object_type="plans.individualplan", object_id="1")
    ApiToken.objects.create(
        user=superuser, key_hash="f" * 64, expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )


def casework_admin_models():
    from django.contrib import admin

    return sorted(
        (model for model in admin.site._registry if model._meta.app_label == "casework"),
        key=lambda model: model._meta.model_name,
    )


@pytest.mark.parametrize("model", casework_admin_models(), ids=lambda m: m._meta.model_name)
def test_changelist_and_change_page_render(admin_web, one_of_each, model):
    name = f"admin:casework_{model._meta.model_name}"
    obj = model.objects.order_by("pk").first()

    read_only = model in {
        AuditEvent,
        AccessLogEntry,
        ApiToken,
        LoginThrottle,
        OutboxEvent,
        ServiceUserUserObjectPermission,
    }

    listing = admin_web.get(reverse(f"{name}_changelist"))
    detail = admin_web.get(reverse(f"{name}_change", args=[obj.pk]))
    adding = admin_web.get(reverse(f"{name}_add"))

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert adding.status_code == (403 if read_only else 200)
    assert "f" * 64 not in detail.content.decode()


def test_unlock_action_resets_the_throttle_and_is_audited(admin_web):
    throttle = LoginThrottle.objects.create(
        username="someone", failures=3, locked_until=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )
    url = reverse("admin:casework_loginthrottle_changelist")

    response = admin_web.post(url, {"action": "unlock", "_selected_action": [throttle.pk]})

    assert response.status_code == 302
    throttle.refresh_from_db()
    assert (throttle.failures, throttle.locked_until) == (0, None)
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == ("loginthrottle.admin_unlock", str(throttle.pk))
    assert event.changes == {"failures": [3, 0], "locked_until": ["2030-01-01T00:00:00+00:00", None]}
