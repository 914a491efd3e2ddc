"""Liveness and readiness: ``/healthz`` answers while the process is up, ``/readyz`` only when the
database and the broker answer (503 naming what fails otherwise).

The broker is whatever ``CELERY_BROKER_URL`` says: the embedded filesystem broker by default, Redis
in CI. The happy-path tests pass with either; the failure tests replace the broker connection.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from kombu import Connection

from config import health
from tests.clients import CheckedClient


def _ready() -> Any:
    return CheckedClient().get("/readyz")


class _UnreachableBroker:
    """A broker connection whose transport refuses, as kombu reports a refused socket."""

    def __enter__(self) -> _UnreachableBroker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def ensure_connection(self, **kwargs: Any) -> None:
        from kombu.exceptions import OperationalError as BrokerError

        raise BrokerError("Error 111 connecting to the broker. Connection refused.")


class _BrokenDatabase:
    """Stands in for ``django.db.connection`` in ``config.health``: every cursor fails."""

    def cursor(self) -> Any:
        raise OperationalError("could not connect to server: Connection refused")


# --- /healthz -------------------------------------------------------------------------------


def test_healthz_answers_200_without_touching_the_database():
    # No django_db mark: any query would fail the test.
    response = CheckedClient().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_only_get():
    response = CheckedClient().post("/healthz")

    assert response.status_code == 405


# --- /readyz: ready ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _broker_folders():
    """The worker creates the filesystem broker's folders at start; do the same here."""
    from config.celery import _ensure_filesystem_broker_folders

    _ensure_filesystem_broker_folders()


@pytest.mark.django_db
def test_readyz_is_200_when_database_and_broker_answer():
    response = _ready()

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_needs_no_login():
    response = CheckedClient().get("/readyz", HTTP_AUTHORIZATION="Token not-a-token")

    assert response.status_code == 200


# --- /readyz: not ready -----------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_it_does_not_answer(monkeypatch):
    monkeypatch.setattr(health, "_broker_ok", lambda: False)

    response = _ready()

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503
    assert body["code"] == "not_ready"
    assert body["failing"] == ["broker"]
    assert "broker" in body["detail"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_connection_is_refused(monkeypatch, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # a network broker, not the filesystem one
    monkeypatch.setattr(health.celery_app, "connection_for_write", lambda: _UnreachableBroker())

    response = _ready()

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_unreachable(monkeypatch, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    # A real Redis transport against a closed port; kombu's one retry would sleep 2 s, so skip it.
    monkeypatch.setattr("kombu.utils.functional.sleep", lambda seconds: None)
    monkeypatch.setattr(
        health.celery_app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0")
    )

    response = _ready()

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_readyz_is_503_naming_the_database_when_it_does_not_answer(monkeypatch):
    monkeypatch.setattr(health, "_database_ok", lambda: False)

    response = _ready()

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503
    assert body["code"] == "not_ready"
    assert body["failing"] == ["database"]
    assert "database" in body["detail"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_driver_raises(monkeypatch):
    monkeypatch.setattr(health, "connection", _BrokenDatabase())

    response = _ready()

    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


@pytest.mark.django_db
def test_readyz_names_both_when_both_fail(monkeypatch):
    monkeypatch.setattr(health, "_database_ok", lambda: False)
    monkeypatch.setattr(health, "_broker_ok", lambda: False)

    response = _ready()

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker", "database"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_filesystem_broker_has_no_folders(settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "missing"),
        "data_folder_out": str(tmp_path / "missing"),
    }

    response = _ready()

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_healthz_refuses_post_with_a_problem_document():
    response = CheckedClient().post("/healthz")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET, HEAD"


def test_the_root_address_leads_to_the_api_documentation(client: Any, db: Any) -> None:
    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/api/v1/docs/")
