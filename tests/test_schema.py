"""The OpenAPI 3 schema: valid, served, and describing every error a client can get.

The contract (../shared/api.md): every response a client can get, errors included, is in the
schema, and every error is ``application/problem+json``. ``casework.api.schema.ProblemAutoSchema`` adds
the problem responses; these tests hold it to that for every operation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from tests.factories import UserFactory

METHODS = {"get", "post", "put", "patch", "delete"}
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generated: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    # Round-trip through JSON so that lazy strings and the like compare as the client sees them.
    return dict(json.loads(json.dumps(generated, default=str)))


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


# --- Generation -------------------------------------------------------------------------------


def test_spectacular_validates_without_warnings(tmp_path: Path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    document = yaml.safe_load(target.read_text())
    assert document["openapi"] == "3.0.3"
    assert document["info"]["title"] == "Medvirk API"


def test_the_schema_covers_the_casework_endpoints(schema):
    assert {path for _method, path, _operation in _operations(schema)} >= {
        "/api/v1/auth/token/",
        "/api/v1/auth/token/revoke/",
        "/api/v1/me/",
        "/api/v1/units/",
        "/api/v1/units/{id}/",
        "/api/v1/service-users/",
        "/api/v1/service-users/{id}/",
        "/api/v1/service-users/{id}/access-log/",
        "/api/v1/service-users/search/",
        "/api/v1/representatives/",
        "/api/v1/representatives/{id}/",
        "/api/v1/mandates/",
        "/api/v1/mandates/{id}/",
        "/api/v1/consents/",
        "/api/v1/consents/{id}/",
        "/api/v1/consents/{id}/withdraw/",
    }


# --- Error responses ------------------------------------------------------------------------


def test_every_operation_documents_401(schema):
    missing = [f"{method} {path}" for method, path, op in _operations(schema) if "401" not in op["responses"]]

    assert missing == []


def test_every_operation_with_a_path_parameter_documents_404(schema):
    missing = [
        f"{method} {path}"
        for method, path, op in _operations(schema)
        if "{" in path and "404" not in op["responses"]
    ]

    assert missing == []


@pytest.mark.parametrize("code", ["400", "413", "415"])
def test_every_post_and_patch_documents_invalid_input_codes(schema, code):
    missing = [
        f"{method} {path}"
        for method, path, op in _operations(schema)
        if method in {"POST", "PATCH"} and code not in op["responses"]
    ]

    assert missing == []


def test_every_error_response_is_problem_json(schema):
    wrong = {
        f"{method} {path} {code}": sorted(response.get("content", {}))
        for method, path, op in _operations(schema)
        for code, response in op["responses"].items()
        if code[:1] in {"4", "5"} and sorted(response.get("content", {})) != [PROBLEM]
    }

    assert wrong == {}


def test_error_responses_use_the_problem_component(schema):
    refs = {
        response["content"][PROBLEM]["schema"]["$ref"]
        for _method, _path, op in _operations(schema)
        for code, response in op["responses"].items()
        if code[:1] in {"4", "5"}
    }

    assert refs == {"#/components/schemas/Problem"}


def test_the_problem_component_has_the_rfc_9457_members(schema):
    problem = schema["components"]["schemas"]["Problem"]

    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    assert {"errors", "missing"} <= set(problem["properties"])


# The documents of api.md are the only successes that are not plain JSON.
DOCUMENT_MEDIA_TYPES = {
    "/api/v1/plans/{id}/pdf": ["application/pdf"],
    "/api/v1/plans/{id}/fhir": ["application/fhir+json"],
    "/api/v1/meetings/{id}/ics": ["text/calendar"],
    "/api/v1/meetings/{id}/minutes/pdf": ["application/pdf"],
}


def test_success_responses_are_plain_json_except_the_documents(schema):
    wrong = {
        f"{method} {path} {code}": sorted(response["content"])
        for method, path, op in _operations(schema)
        for code, response in op["responses"].items()
        if code[:1] == "2"
        and "content" in response
        and sorted(response["content"]) != DOCUMENT_MEDIA_TYPES.get(path, ["application/json"])
    }

    assert wrong == {}


# --- Authentication and personal identifiers ----------------------------------------------------


def test_the_token_scheme_is_documented(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }


def test_protected_operations_accept_a_token_or_a_session(schema):
    wrong = {
        f"{method} {path}": op.get("security")
        for method, path, op in _operations(schema)
        if path != "/api/v1/auth/token/" and op.get("security") != [{"tokenAuth": []}, {"cookieAuth": []}]
    }

    assert wrong == {}


def test_the_token_endpoint_needs_no_authentication(schema):
    assert schema["paths"]["/api/v1/auth/token/"]["post"]["security"] == [{}]


def test_no_parameter_carries_a_national_id(schema):
    names = {
        parameter["name"]
        for _method, _path, op in _operations(schema)
        for parameter in op.get("parameters", [])
    }

    assert [name for name in names if "national" in name] == []


# --- Serving ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_is_served_as_openapi_3_to_a_logged_in_user(api):
    response = api(UserFactory()).get("/api/v1/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert document["openapi"] == "3.0.3"
    assert "/api/v1/service-users/" in document["paths"]


@pytest.mark.django_db
def test_the_schema_is_served_as_json_on_request(api):
    response = api(UserFactory()).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(response.content)["openapi"] == "3.0.3"


@pytest.mark.django_db
def test_the_schema_is_public(api):
    # drf-spectacular's default SERVE_PERMISSIONS (AllowAny) and SERVE_PUBLIC: no login needed,
    # and the anonymous caller gets the same document as a logged-in one.
    anonymous = api(None).get("/api/v1/schema/")
    logged_in = api(UserFactory()).get("/api/v1/schema/")

    assert (anonymous.status_code, logged_in.status_code) == (200, 200)
    assert yaml.safe_load(anonymous.content) == yaml.safe_load(logged_in.content)


@pytest.mark.django_db
def test_the_docs_page_answers_200(api):
    response = api(UserFactory()).get("/api/v1/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/v1/schema/" in response.content


def test_the_search_documents_the_count_and_results_it_answers(schema):
    answer = schema["paths"]["/api/v1/service-users/search/"]["post"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    assert set(schema["components"]["schemas"][ref]["properties"]) == {"count", "results"}
