"""GET /plans/{id}/pdf and /fhir: which content, for whom, logged, and with the right types."""

from __future__ import annotations

import io

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from casework.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """The text of a PDF the endpoint answered with 200."""
    assert response.status_code == 200, response.content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_pdf_is_the_latest_approved_version_by_default(plans, world, api):
    plan = plans.reviewed_twice()

    response = api(world.actors["caseworker"]).get(f"/api/v1/plans/{plan.pk}/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response)
    assert "Jeg vil bo i egen leilighet." in text
    assert "Praktisk bistand i hjemmet" in text
    assert "Versjon 2" in text
    assert AccessLogEntry.objects.filter(resource="plan.pdf", service_user=world.person).count() == 1


def test_an_older_version_on_request(plans, world, api):
    plan = plans.reviewed_twice()

    text = _text(api(world.actors["caseworker"]).get(f"/api/v1/plans/{plan.pk}/pdf?version=1"))

    assert "Versjon 1" in text


def test_the_guardian_gets_the_approved_pdf_but_never_a_draft(plans, world, api):
    plan = plans.active()
    guardian = api(world.actors["guardian"])

    assert guardian.get(f"/api/v1/plans/{plan.pk}/pdf").status_code == 200
    assert guardian.get(f"/api/v1/plans/{plan.pk}/pdf?version=draft").status_code == 404


def test_staff_get_the_working_copy_marked_as_a_draft_before_any_approval(plans, world, api):
    plan = plans.draft()

    text = _text(api(world.actors["caseworker"]).get(f"/api/v1/plans/{plan.pk}/pdf"))

    assert "Arbeidsutkast" in text


def test_out_of_reach_is_404_and_unknown_parameters_400(plans, world, api):
    plan = plans.active()

    assert api(world.actors["caseworker_other_unit"]).get(f"/api/v1/plans/{plan.pk}/pdf").status_code == 404
    assert api(world.actors["caseworker"]).get(f"/api/v1/plans/{plan.pk}/pdf?size=a3").status_code == 400
    assert api(None).get(f"/api/v1/plans/{plan.pk}/fhir").status_code == 401


def test_fhir_bundle_is_valid_r4b_with_an_active_careplan(plans, world, api):
    plan = plans.active()

    response = api(world.actors["caseworker"]).get(f"/api/v1/plans/{plan.pk}/fhir")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate_json(response.content)
    care_plans = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "CarePlan"]
    assert [c.status for c in care_plans] == ["active"]
    assert world.person.national_id not in response.content.decode()
