"""OpenAPI: every operation also documents the problem responses a client can get."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <key>`` (casework.auth.ApiTokenAuthentication) in the schema."""

    target_class = "casework.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.keyword
        )


class ValidationErrorItem(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()


class Problem(serializers.Serializer):
    """RFC 9457 problem details (``application/problem+json``)."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = ValidationErrorItem(many=True, required=False)  # type: ignore[assignment]
    missing = serializers.ListField(child=serializers.CharField(), required=False)
    available_transitions = serializers.ListField(child=serializers.CharField(), required=False)


_DESCRIPTIONS = {
    400: "Invalid input (`code` = `invalid`, with `errors`).",
    401: "Not authenticated.",
    403: "Authenticated, but the action is not allowed on this object.",
    404: "Missing, or outside the caller's reach.",
    405: "Method not allowed.",
    409: "The object's state or a concurrent change conflicts with the request.",
    413: "Request body over 1 MB.",
    415: "Unsupported content type (send application/json).",
    422: "A guard failed; `missing` lists what is lacking.",
}


class ProblemAutoSchema(AutoSchema):
    """Adds the problem responses that every operation of its kind can give."""

    def _unwrap_list_serializer(self, serializer: Any, direction: Any) -> Any:
        """Nested lists (``many=True``) document their ``max_length`` as ``maxItems``."""
        schema = super()._unwrap_list_serializer(serializer, direction)
        if schema and isinstance(serializer, serializers.ListSerializer):
            for bound, keyword in (("max_length", "maxItems"), ("min_length", "minItems")):
                if getattr(serializer, bound, None) is not None:
                    schema[keyword] = getattr(serializer, bound)
        return schema

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        descriptions = {code: _DESCRIPTIONS[code] for code in (401, 403, 405)}
        if "{" in self.path:
            descriptions[404] = _DESCRIPTIONS[404]
        if method in {"POST", "PUT", "PATCH"}:
            descriptions.update({code: _DESCRIPTIONS[code] for code in (400, 409, 413, 415, 422)})
        elif self._is_list_view() or self._refuses_unknown_query_parameters():
            descriptions[400] = _DESCRIPTIONS[400]
        if method == "DELETE" and self._is_reach_view():
            descriptions[409] = _DESCRIPTIONS[409]  # e.g. a goal of a plan that is no longer a draft
        if method == "GET" and self._is_list_view() and self._get_paginator() is not None:
            descriptions.setdefault(404, "`page` is not a page of the list (past the last, or not a number).")
        for code, description in descriptions.items():
            responses.setdefault(
                str(code),
                self._get_response_for_code(
                    OpenApiResponse(response=Problem, description=description),
                    str(code),
                    direction=direction,
                ),
            )
        return responses

    def _is_reach_view(self) -> bool:
        from casework.api.base import ReachViewSet  # not at the top: the API imports this module

        return isinstance(self.view, ReachViewSet)

    def _refuses_unknown_query_parameters(self) -> bool:
        """A ``ReachViewSet`` answers 400 to a query parameter it does not know, and a view with
        query parameters to a value it cannot read."""
        has_query = any(parameter["in"] == "query" for parameter in self._get_parameters())
        return has_query or self._is_reach_view()


def problem_media_type_hook(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Error bodies are served as ``application/problem+json``; say so in the schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content")
                if code[:1] in {"4", "5"} and content and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
    return result
