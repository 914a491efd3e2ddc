"""The machinery of tests/test_api_properties.py: schemathesis driven against the live test server.

A ``Fuzzer`` sends requests to every operation of the OpenAPI schema as one actor, checks each
response with schemathesis's built-in checks plus ``problem_details``, and *records* what failed
instead of stopping at the first failure, so that one run lists every distinct failure.

Generated requests alone rarely name an object that exists, so the fuzzer first walks the list
operations as the caseworker and learns real path ids (``bindings_for``) and the ids that request
fields and query parameters refer to (``pool_for``); objects created along the way are learned too.
Nothing here knows the service's resources by name: all of it is derived from the schema.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks as builtin

PROBLEM = "application/problem+json"
PROBLEM_MEMBERS: dict[str, type] = {"type": str, "title": str, "status": int, "detail": str, "code": str}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PARAM = re.compile(r"\{(\w+)\}")
TIMEOUT = 60  # seconds; a PDF takes about one


# --- The custom check ----------------------------------------------------------------------------


def _header(headers: Any, name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else str(value)
    return ""


def problem_failures(status: int, content_type: str, content: bytes) -> list[str]:
    """What is wrong with an error response as an RFC 9457 problem document (nothing: [])."""
    if status < 400:
        return []
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != PROBLEM:
        return [f"Content-Type is {content_type!r}, not {PROBLEM}"]
    try:
        body = json.loads(content)
    except ValueError:
        return ["the body is not JSON"]
    if not isinstance(body, dict):
        return [f"the body is a JSON {type(body).__name__}, not an object"]
    wrong = [
        f"`{name}` is {body.get(name)!r}, not a {kind.__name__}"
        for name, kind in PROBLEM_MEMBERS.items()
        if not isinstance(body.get(name), kind) or isinstance(body.get(name), bool)
    ]
    if not wrong and body["status"] != status:
        wrong.append(f"`status` is {body['status']} in a {status} response")
    return wrong


@schemathesis.check
def problem_details(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx is ``application/problem+json`` with type, title, status, detail and code."""
    wrong = problem_failures(
        response.status_code, _header(response.headers, "Content-Type"), response.content
    )
    if wrong:
        raise AssertionError("Not an RFC 9457 problem document: " + "; ".join(wrong))
    return None


UNKNOWN_CODES = frozenset({"unknown_parameter", "unknown_field"})


@schemathesis.check
def documented_parameters_known(ctx: Any, response: Any, case: Any) -> bool | None:
    """A query parameter the schema documents is never refused as unknown."""
    if response.status_code != 400:
        return None
    try:
        errors = json.loads(response.content).get("errors") or []
    except (ValueError, AttributeError):
        return None  # problem_details says what is wrong with such a body
    sent = set(case.query or {}) & {parameter.name for parameter in case.operation.query}
    refused = sorted({error.get("field") for error in errors if error.get("code") in UNKNOWN_CODES} & sent)
    if refused:
        raise AssertionError(f"Documented query parameters refused as unknown: {', '.join(refused)}")
    return None


# Status, media type and body of every response as documented, and never a 5xx.
CHECKS: list[Callable[..., Any]] = [
    builtin.not_a_server_error,
    builtin.status_code_conformance,
    builtin.content_type_conformance,
    builtin.response_headers_conformance,
    builtin.response_schema_conformance,
    builtin.negative_data_rejection,
    problem_details,
    documented_parameters_known,
]
# Anonymous: also that no operation that declares authentication answers 2xx without it.
ANONYMOUS_CHECKS = [*CHECKS, builtin.ignored_auth]


# --- Findings ------------------------------------------------------------------------------------


@dataclass
class Finding:
    actor: str
    operation: str
    check: str
    status: int | None
    request: str
    message: str

    @property
    def key(self) -> tuple[str, str, str, int | None]:
        return (self.actor, self.operation, self.check, self.status)


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} characters)"


def _describe_request(request: Any) -> str:
    """``METHOD url`` and the body of a requests.PreparedRequest (or of a _SummarisedRequest)."""
    if request is None:
        return "?"
    text = f"{request.method} {_shorten(str(request.url))}"
    body = request.body
    if body:
        if isinstance(body, bytes):
            body = body.decode("utf-8", "backslashreplace")
        text += f"\n    body: {_shorten(body, 300)}"
    return text


def report(findings: Iterable[Finding]) -> str:
    """One entry per (actor, operation, check, status): how often, and the shortest request."""
    groups: dict[tuple[str, str, str, int | None], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.key, []).append(finding)
    lines = [f"{len(groups)} distinct failures:"]
    for (actor, operation, check, status), items in sorted(groups.items(), key=lambda kv: str(kv[0])):
        shortest = min(items, key=lambda item: len(item.request))
        message = " ".join(shortest.message.split())[:400]
        lines.append(f"- [{actor}] {operation} -> {status}: {check} ({len(items)}x)")
        lines.append(f"    {shortest.request}")
        lines.append(f"    {message}")
    return "\n".join(lines)


# --- Values that a parameter's schema allows or not -------------------------------------------


def conforms(value: str, schema: dict[str, Any]) -> bool:
    """Whether ``value``, as sent in a URL, is allowed by a parameter's schema."""
    if "enum" in schema:
        return value in {str(item) for item in schema["enum"]}
    kind = schema.get("type")
    if kind == "array":
        return conforms(value, schema.get("items", {}))
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]+", value):  # [0-9], not \d: no other scripts' digits
            return False
        number = int(value)
        return schema.get("minimum", number) <= number <= schema.get("maximum", number)
    if kind == "number":
        return re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", value) is not None
    if kind == "boolean":
        return value in {"true", "false"}
    if "pattern" in schema and re.search(schema["pattern"], value) is None:
        return False
    return len(value) <= schema.get("maxLength", len(value))


# --- Hostile values --------------------------------------------------------------------------------

HUGE = 3000  # a huge path segment or query value that still fits gunicorn's 4094-byte request line

HOSTILE_NUMBERS = [
    "²",  # superscript two: str.isdigit() says yes, int() says no
    "١",  # Arabic-Indic one: int() reads it as 1
    "-1",
    str(2**63),  # one past the largest 64-bit signed integer
    "9" * 400,
    "1.5",
    "x" * HUGE,
    "\x00",
]
HOSTILE_STRINGS = ["x" * HUGE, "\x00", "١"]
HOSTILE_BOOLEANS = ["١", "x" * HUGE]

NESTING = 1000
HOSTILE_BODIES: list[tuple[str, bytes, str]] = [
    ("deeply nested array", b"[" * NESTING + b"]" * NESTING, "application/json"),
    ("deeply nested object", b'{"a":' * NESTING + b"1" + b"}" * NESTING, "application/json"),
    ("number over float range", b"1e999", "application/json"),
    ("NaN", b'{"x": NaN}', "application/json"),
    ("5000-digit integer", b"9" * 5000, "application/json"),
    ("JSON array", b"[]", "application/json"),
    ("JSON string", b'"x"', "application/json"),
    ("JSON null", b"null", "application/json"),
    ("invalid UTF-8", b'{"x": "\xff\xfe"}', "application/json"),
    ("truncated JSON", b'{"x": ', "application/json"),
    ("plain text", b"x", "text/plain"),
    ("form data", b"a=1", "application/x-www-form-urlencoded"),
    ("over 1 MB", b'{"x": "' + b"x" * (1024 * 1024) + b'"}', "application/json"),
]
# Start and end of an interval (a meeting, a visit): local times Oslo skips or has twice, and
# instants at the edges of what a datetime can hold once converted to UTC.
HOSTILE_INSTANTS = [
    ("naive time in the spring-forward gap", "2027-03-28T02:15:00", "2027-03-28T02:45:00"),
    ("naive time in the autumn fold", "2027-10-31T02:15:00", "2027-10-31T02:45:00"),
    ("year 9999", "9999-12-30T10:00:00+01:00", "9999-12-30T11:00:00+01:00"),
    ("year 9999, past the end in UTC", "9999-12-31T23:15:00-01:00", "9999-12-31T23:45:00-01:00"),
    ("year 1, before the start in UTC", "0001-01-01T00:15:00+01:00", "0001-01-01T00:45:00+01:00"),
]
HOSTILE_DATES = [("year 9999", "9999-12-31"), ("year 1", "0001-01-01")]
HOSTILE_FIELD_STRINGS = [
    ("lone surrogate", "\ud800"),
    ("NUL", "a\x00b"),
    ("100 000 characters", "x" * 100_000),
]


ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def hostile_values(schema: dict[str, Any], known: Any = None) -> list[str]:
    """Values to send for a parameter; ``known``, an id that exists, is also sent in other digits.

    ``/plans/٧/`` answering plan 7 shows that the id was read with int(), which takes any script.
    """
    kind = schema.get("type")
    if kind == "array":
        kind = schema.get("items", {}).get("type")
    if kind == "integer" or "[0-9]" in schema.get("pattern", ""):
        if _is_int(known) or (isinstance(known, str) and known.isascii() and known.isdigit()):
            return [*HOSTILE_NUMBERS, str(known).translate(ARABIC_INDIC_DIGITS)]
        return HOSTILE_NUMBERS
    if kind == "boolean":
        return HOSTILE_BOOLEANS
    return HOSTILE_STRINGS


# --- Schema helpers ----------------------------------------------------------------------------


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    for combinator in ("allOf", "oneOf", "anyOf"):
        if combinator in schema and "type" not in schema and "enum" not in schema:
            return _resolve(document, schema[combinator][0])
    return schema


def _resource_name(collection: str) -> str:
    """``/api/v1/service-users/`` -> ``service_user``: what a field naming one of its items is called."""
    segment = [part for part in collection.strip("/").split("/") if not part.startswith("{")][-1]
    return segment.replace("-", "_").removesuffix("s")


def _items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        body = body["results"]
    if isinstance(body, list):
        return [item for item in body if isinstance(item, dict)]
    return []


def _identifier(item: dict[str, Any], parameter: str) -> Any:
    for key in (parameter, "id", "number", "name"):
        value = item.get(key)
        if isinstance(value, int | str) and not isinstance(value, bool):
            return value
    return None


def _spread(values: list[Any], count: int) -> list[Any]:
    """Up to ``count`` of ``values``, spread over the list (the demo lists objects in every state)."""
    if len(values) <= count:
        return values
    return [values[round(i * (len(values) - 1) / (count - 1))] for i in range(count)]


def _key(binding: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, str(value)) for name, value in binding.items()))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- The fuzzer --------------------------------------------------------------------------------


@dataclass
class Fuzzer:
    schema: Any  # schemathesis's OpenApiSchema
    base_url: str
    actor: str
    token: str | None  # the actor's API token; None: anonymous
    new_token: Callable[[], str]  # a fresh token of the caseworker, for operations that revoke one
    examples: int
    seed: int
    max_bindings: int = 6
    findings: list[Finding] = field(default_factory=list)
    http: requests.Session = field(default_factory=requests.Session)
    # (collection path template, binding of its parameters) -> the items it listed
    listed: dict[tuple[str, tuple[tuple[str, str], ...]], list[dict[str, Any]]] = field(default_factory=dict)
    # field name -> integer values seen under that name, and item ids by resource name
    pools: dict[str, list[Any]] = field(default_factory=dict)
    # objects created by requests: (collection, binding, item, how it was created)
    created: list[tuple[str, dict[str, Any], dict[str, Any], str]] = field(default_factory=list)
    requests_sent: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per operation, to keep the budget in view
    statuses: dict[str, Counter[int]] = field(default_factory=dict)  # per operation: how deep it got

    @property
    def document(self) -> dict[str, Any]:
        return self.schema.raw_schema

    def operations(self) -> list[Any]:
        return [result.ok() for result in self.schema.get_all_operations()]

    @property
    def collections(self) -> set[str]:
        return {path for path, item in self.document["paths"].items() if "get" in item}

    # -- authentication --

    def headers_for(self, path: str) -> dict[str, str]:
        if self.token is None:
            return {}
        if path.endswith("/auth/token/revoke/"):
            # Revoking must not end the caseworker's run: revoke a token of its own.
            return {"Authorization": f"Token {self.new_token()}"}
        return {"Authorization": f"Token {self.token}"}

    # -- learning real ids --

    def _collection_of(self, template: str, parameter: str) -> tuple[str, str]:
        """The list that names values of ``parameter`` of ``template``, and the template's prefix.

        ``/plans/{plan_pk}/goals/{id}/`` takes ``id`` from ``/plans/{plan_pk}/goals/``; a prefix
        that is not a list (``/versions/{a}/diff/`` for ``{b}``) takes it from the list before it.
        """
        prefix = template[: template.index("{" + parameter + "}")]
        collection = prefix
        while collection not in self.collections and "{" in collection:
            collection = collection[: collection.rindex("{")]
        return collection, prefix

    def bindings_for(self, template: str) -> list[dict[str, Any]]:
        """Path parameters of ``template`` that name objects that exist (as far as learnt)."""
        parameters = PARAM.findall(template)
        if not parameters:
            return [{}]
        parameter = parameters[-1]
        collection, prefix = self._collection_of(template, parameter)
        collection_parameters = set(PARAM.findall(collection))
        bindings = []
        for parent in self.bindings_for(prefix):
            outer = {name: value for name, value in parent.items() if name in collection_parameters}
            values = [_identifier(item, parameter) for item in self.listed.get((collection, _key(outer)), [])]
            values = list(dict.fromkeys(value for value in values if value is not None))
            bindings += [{**parent, parameter: value} for value in _spread(values, self.max_bindings)]
        return _spread(bindings, self.max_bindings)

    def learn(self, collection: str, binding: dict[str, Any], body: Any, *, created: str = "") -> None:
        items = _items(body) if not created else [body]
        self.listed.setdefault((collection, _key(binding)), []).extend(items)
        resource = _resource_name(collection)
        for item in items:
            if _is_int(item.get("id")):
                self._pool(resource).append(item["id"])
            for name, value in item.items():
                if isinstance(value, dict) and _is_int(value.get("id")):
                    value = value["id"]  # a reference shown as {"id": …, "name": …}
                if _is_int(value) and name != "id":
                    self._pool(name).append(value)
                elif isinstance(value, list) and value and all(_is_int(element) for element in value):
                    self._pool(name).extend(value)
            if created:
                self.created.append((collection, binding, item, created))

    def _pool(self, name: str) -> list[Any]:
        return self.pools.setdefault(name, [])

    def pool_for(self, name: str) -> list[Any]:
        """Integer values a field or query parameter called ``name`` may meaningfully take."""
        values = list(self.pools.get(name, []))
        singular = name.removesuffix("s")
        for resource, ids in self.pools.items():
            if resource in {singular, name} or resource.endswith("_" + singular):
                values += ids
        return list(dict.fromkeys(values))[:50]

    def discover(self) -> None:
        """List, as the caseworker, every collection that path parameters are taken from."""
        needed = set()
        for template in self.document["paths"]:
            for parameter in PARAM.findall(template):
                needed.add(self._collection_of(template, parameter)[0])
        headers = {"Authorization": f"Token {self.new_token()}"}
        for collection in sorted(needed, key=lambda path: (path.count("{"), path)):
            for binding in self.bindings_for(collection):
                response = self.http.get(
                    self.base_url + collection.format(**binding), headers=headers, timeout=TIMEOUT
                )
                if response.status_code == 200:
                    self.learn(collection, binding, response.json())

    # -- sending and checking --

    def record(self, operation: str, request: Any, status: int | None, error: Any) -> None:
        failures = list(error.exceptions) if isinstance(error, BaseExceptionGroup) else [error]
        for failure in failures:
            if status is not None and status >= 500 and type(failure).__name__ == "UndefinedStatusCode":
                continue  # said already by not_a_server_error
            title = getattr(failure, "title", None) or type(failure).__name__
            message = getattr(failure, "message", None) or str(failure)
            self.findings.append(
                Finding(self.actor, operation, title, status, _describe_request(request), message)
            )

    def validate(self, case: Any, response: Any, checks: list[Callable[..., Any]]) -> None:
        try:
            case.validate_response(response, checks=checks)
        except (AssertionError, BaseExceptionGroup) as error:
            self.record(case.operation.label, getattr(response, "request", None), response.status_code, error)

    def send(self, case: Any) -> Any:
        self.requests_sent += 1
        try:
            response = case.call(
                base_url=self.base_url,
                session=self.http,
                headers=self.headers_for(case.operation.path),
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            self.record(case.operation.label, None, None, error)
            return None
        self.statuses.setdefault(case.operation.label, Counter())[response.status_code] += 1
        return response

    def after(self, operation: Any, binding: dict[str, Any], response: Any, label: str = "generated") -> None:
        """Learn the id of an object a POST created, so that later operations use it."""
        if operation.method.upper() != "POST" or response.status_code != 201:
            return
        try:
            body = json.loads(response.content)
        except ValueError:
            return
        if isinstance(body, dict) and "id" in body:
            self.learn(operation.path, binding, body, created=label)

    @property
    def checks(self) -> list[Callable[..., Any]]:
        return CHECKS if self.token is not None else ANONYMOUS_CHECKS

    @property
    def listed_checks(self) -> list[Callable[..., Any]]:
        """For requests written here rather than generated: no generation mode to judge them by."""
        return [check for check in self.checks if check is not builtin.negative_data_rejection]

    # -- generated requests --

    def _strategy(self, operation: Any) -> Any:
        bindings = self.bindings_for(operation.path) if "{" in operation.path else []
        has_input = bool(operation.query) or (operation.body is not None and len(operation.body) > 0)
        strategies = [
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        ]
        for binding in bindings:
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=binding))
            if has_input:
                strategies.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=binding))
        return st.one_of(strategies)

    def steer(self, case: Any, data: Any) -> None:
        """Point integer fields and query parameters of a valid request at objects that exist."""
        if case.meta is None or not case.meta.generation.mode.is_positive:
            return
        for name in list(case.query or {}):
            values = self.pool_for(name)
            if values and data.draw(st.booleans()):
                case.query[name] = data.draw(st.sampled_from(values))
        if isinstance(case.body, dict):
            for name, value in list(case.body.items()):
                values = self.pool_for(name)
                if not values or not data.draw(st.booleans()):
                    continue
                if _is_int(value):
                    case.body[name] = data.draw(st.sampled_from(values))
                elif isinstance(value, list):
                    case.body[name] = [data.draw(st.sampled_from(values))]

    def examples_for(self, operation: Any) -> int:
        """PDFs take WeasyPrint about a second each: their operations get a quarter of the examples."""
        documents = {
            media_type
            for status, response in operation.definition.raw.get("responses", {}).items()
            if status.startswith("2")
            for media_type in response.get("content", {})
        }
        return max(1, self.examples // 4) if "application/pdf" in documents else self.examples

    def fuzz(self, operation: Any) -> None:
        """``examples`` generated requests to one operation, valid and invalid, every failure recorded."""

        @seed(self.seed + zlib.crc32(operation.label.encode()))
        @settings(
            max_examples=self.examples_for(operation),
            database=None,  # nothing written to .hypothesis/
            derandomize=False,  # the seed decides; Hypothesis's CI profile would derandomize
            deadline=None,
            phases=(Phase.explicit, Phase.generate),  # failures are recorded, not shrunk
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        @given(case=self._strategy(operation), data=st.data())
        def run(case: Any, data: Any) -> None:
            self.steer(case, data)
            binding = dict(case.path_parameters or {})
            response = self.send(case)
            if response is not None:
                self.validate(case, response, self.checks)
                self.after(operation, binding, response)

        started = time.monotonic()
        try:
            run()
        except Exception as error:  # generation itself failed: show it as a finding, go on
            self.findings.append(Finding(self.actor, operation.label, "harness error", None, "", repr(error)))
        self.seconds[operation.label] = time.monotonic() - started

    def summary(self) -> str:
        slowest = sorted(self.seconds.items(), key=lambda item: -item[1])[:8]
        never = [
            label
            for label, counts in self.statuses.items()
            if not any(200 <= status < 300 for status in counts)
        ]
        return (
            f"{self.actor}: {self.requests_sent} requests; slowest: "
            + ", ".join(f"{label} {seconds:.1f}s" for label, seconds in slowest)
            + f"\nnever answered 2xx ({len(never)}): "
            + ", ".join(sorted(never))
        )

    # -- hostile requests, listed rather than generated --

    def base_binding(self, operation: Any) -> dict[str, Any]:
        bindings = self.bindings_for(operation.path)
        return bindings[0] if bindings else dict.fromkeys(PARAM.findall(operation.path), 1)

    def parameters(self, operation: Any, location: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for parameter in operation.definition.raw.get("parameters", []):
            if parameter["in"] == location:
                yield parameter["name"], _resolve(self.document, parameter.get("schema", {}))

    def hostile_case(self, operation: Any, *, label: str, must_reject: bool, **values: Any) -> None:
        case = operation.Case(**values)
        response = self.send(case)
        if response is None:
            return
        self.validate(case, response, self.listed_checks)
        if must_reject and 200 <= response.status_code < 300:
            self.findings.append(
                Finding(
                    self.actor,
                    operation.label,
                    "accepted a value its schema forbids",
                    response.status_code,
                    _describe_request(response.request),
                    f"{label}: answered {response.status_code} instead of 4xx",
                )
            )
        self.after(operation, values.get("path_parameters") or {}, response, label)

    def hostile_parameters(self, operation: Any) -> None:
        started = time.monotonic()
        base = self.base_binding(operation)
        for name, schema in self.parameters(operation, "path"):
            for value in hostile_values(schema, base.get(name)):
                self.hostile_case(
                    operation,
                    label=f"path {name}={value[:20]!r}",
                    must_reject=not conforms(value, schema),
                    path_parameters={**base, name: value},
                )
        for name, schema in self.parameters(operation, "query"):
            for value in hostile_values(schema, next(iter(self.pool_for(name)), None)):
                self.hostile_case(
                    operation,
                    label=f"query {name}={value[:20]!r}",
                    must_reject=not conforms(value, schema),
                    path_parameters=base,
                    query={name: value},
                )
        self.seconds[operation.label] = self.seconds.get(operation.label, 0) + time.monotonic() - started

    def hostile_bodies(self, operation: Any) -> None:
        """Raw bodies no serializer should see: too deep, too big, not JSON, not an object."""
        if operation.method.upper() not in WRITE_METHODS:
            return
        case = operation.Case(path_parameters=self.base_binding(operation))
        url = self.base_url + case.formatted_path
        for label, content, content_type in HOSTILE_BODIES:
            headers = {**self.headers_for(operation.path), "Content-Type": content_type}
            self.requests_sent += 1
            try:
                response = self.http.request(
                    operation.method.upper(), url, data=content, headers=headers, timeout=TIMEOUT
                )
            except requests.RequestException as error:
                self.record(operation.label, None, None, error)
                continue
            try:
                case.validate_response(response, checks=self.listed_checks)
            except (AssertionError, BaseExceptionGroup) as error:
                self.record(
                    operation.label,
                    _SummarisedRequest(operation.method.upper(), url, label),
                    response.status_code,
                    error,
                )

    def request_body_schema(self, operation: Any) -> dict[str, Any] | None:
        content = operation.definition.raw.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return None
        return _resolve(self.document, content["application/json"]["schema"])

    def plausible_body(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A body with every writable field filled with a plausible value (guards want them).

        Optional references are left out: one that does not fit the object in the path would be
        refused before the field under test is read.
        """
        body: dict[str, Any] = {}
        required = set(schema.get("required", []))
        for name, raw in schema.get("properties", {}).items():
            prop = _resolve(self.document, raw)
            pool = self.pool_for(name)
            if prop.get("readOnly") or (pool and name not in required):
                continue
            kind, form = prop.get("type"), prop.get("format")
            if "enum" in prop:
                body[name] = next((item for item in prop["enum"] if item), None)
            elif kind == "integer":
                body[name] = pool[0] if pool else 1
            elif kind == "array":
                body[name] = [pool[0]] if pool and prop.get("items", {}).get("type") == "integer" else []
            elif kind == "boolean":
                body[name] = True
            elif form == "date-time":
                body[name] = "2027-06-01T10:00:00+02:00"
            elif form == "date":
                body[name] = "2027-06-01"
            elif form == "email":
                body[name] = "fuzz@example.no"
            elif form in {"uri", "url"}:
                body[name] = "https://example.no/fuzz"
            elif kind == "object":
                body[name] = {}
            else:
                body[name] = "Fuzz"
        return body

    def hostile_fields(self, operation: Any) -> None:
        """Plausible bodies with one kind of field made hostile: DST gaps, year 9999, NULs, …"""
        schema = self.request_body_schema(operation)
        if schema is None:
            return
        base = self.base_binding(operation)
        properties = {
            name: _resolve(self.document, prop)
            for name, prop in schema.get("properties", {}).items()
            if not _resolve(self.document, prop).get("readOnly")
        }
        instants = [name for name, prop in properties.items() if prop.get("format") == "date-time"]
        dates = [name for name, prop in properties.items() if prop.get("format") == "date"]
        strings = [
            name
            for name, prop in properties.items()
            if prop.get("type") == "string" and not prop.get("format") and "enum" not in prop
        ]
        # Times reach deep (calendars, reminders, deadlines): try them on every object and
        # transition learnt; strings only on the first.
        variants: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = []
        bindings = self.bindings_for(operation.path) or [base]
        for label, start, end in HOSTILE_INSTANTS if instants else []:
            # The first date-time starts the interval, any other ends it: start < end stays true.
            fields = {name: start if i == 0 else end for i, name in enumerate(instants)}
            variants.append((label, fields, bindings))
        for label, day in HOSTILE_DATES if dates else []:
            variants.append((label, dict.fromkeys(dates, day), bindings))
        for label, text in HOSTILE_FIELD_STRINGS if strings else []:
            variants.append((label, dict.fromkeys(strings, text), [base]))
        for label, fields, where in variants:
            for binding in where:
                self.hostile_case(
                    operation,
                    label=label,
                    must_reject=False,
                    path_parameters=binding,
                    body={**self.plausible_body(schema), **fields},
                    media_type="application/json",
                )

    def unexpected_methods(self) -> None:
        """A method a path does not offer answers 405 as a problem document."""
        for path, item in self.document["paths"].items():
            missing = [method for method in METHODS if method.lower() not in item]
            if not missing:
                continue
            operation = next(op for op in self.operations() if op.path == path)
            url = self.base_url + operation.Case(path_parameters=self.base_binding(operation)).formatted_path
            self.requests_sent += 1
            response = self.http.request(missing[0], url, headers=self.headers_for(path), timeout=TIMEOUT)
            wrong = problem_failures(
                response.status_code, response.headers.get("Content-Type", ""), response.content
            )
            expected = {405} if self.token is not None else {401, 405}
            if response.status_code not in expected:
                wrong.append(f"answered {response.status_code}, not {sorted(expected)}")
            if wrong:
                self.findings.append(
                    Finding(
                        self.actor,
                        f"{missing[0]} {path}",
                        "unexpected method",
                        response.status_code,
                        f"{missing[0]} {url}",
                        "; ".join(wrong),
                    )
                )

    def read_back(self) -> None:
        """Read every object created by the hostile requests through each GET of its path."""
        for collection, binding, item, label in list(self.created):
            for operation in self.operations():
                if operation.method.upper() != "GET" or not operation.path.startswith(collection + "{"):
                    continue
                parameters = PARAM.findall(operation.path)
                new = [name for name in parameters if name not in binding]
                if len(new) != 1:
                    continue
                path_parameters = {**binding, new[0]: _identifier(item, new[0])}
                case = operation.Case(path_parameters=path_parameters)
                response = self.send(case)
                if response is None:
                    continue
                before = len(self.findings)
                self.validate(case, response, self.listed_checks)
                for finding in self.findings[before:]:
                    finding.check += f" (reading back an object created with {label})"


@dataclass
class _SummarisedRequest:
    """A request shown in a report by its label instead of its (possibly megabyte) body."""

    method: str
    url: str
    label: str

    @property
    def body(self) -> str:
        return f"<{self.label}>"
