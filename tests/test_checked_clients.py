"""The test clients fail a test that never checked the status of a response (tests/clients.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.http import JsonResponse

from tests.clients import CheckedAPIClient, CheckedClient, recording


@pytest.mark.parametrize("client_class", [CheckedClient, CheckedAPIClient])
def test_a_response_whose_status_is_never_read_fails_the_test_naming_the_request(client_class: Any) -> None:
    with recording() as ledger:
        response = client_class().post("/healthz?probe=1")
        assert response.json()["code"] == "method_not_allowed"  # read, but not the status

    assert ledger.unchecked() == ["POST /healthz?probe=1"]
    with pytest.raises(pytest.fail.Exception) as failure:
        ledger.fail_if_unchecked()
    assert "never checked the status of 1 response(s)" in str(failure.value)
    assert "  POST /healthz?probe=1" in str(failure.value)


def test_reading_the_status_checks_the_response() -> None:
    client = CheckedClient()
    with recording() as ledger:
        first = client.get("/healthz")
        second = client.get("/healthz", {"detail": "1"})
        assert first.status_code == 200

        assert ledger.unchecked() == ["GET /healthz?detail=1"]
        assert second.status_code == 200
        assert ledger.unchecked() == []
    ledger.fail_if_unchecked()


def test_a_checked_response_still_behaves_as_the_original() -> None:
    client = CheckedClient()
    with recording() as ledger:
        response = client.post("/healthz")

        assert isinstance(response, JsonResponse)
        assert type(response).__name__ == "JsonResponse"
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        assert response.json()["status"] == 405
    assert ledger.unchecked() == []


def test_following_redirects_leaves_the_final_response_to_the_test(db: Any) -> None:
    with recording() as ledger:
        response = CheckedClient().get("/", follow=True)

        assert ledger.unchecked() == ["GET /api/v1/docs/"]
        assert response.status_code == 200
        assert response.redirect_chain == [("/api/v1/docs/", 302)]
    assert ledger.unchecked() == []


def test_a_recording_inside_another_takes_the_responses_until_it_ends() -> None:
    client = CheckedAPIClient()
    with recording() as outer:
        with recording() as inner:
            client.get("/healthz")
        checked = client.get("/healthz")
        assert checked.status_code == 200

    assert (len(inner.responses), len(outer.responses)) == (1, 1)
    assert inner.unchecked() == ["GET /healthz"]
    assert outer.unchecked() == []


def test_a_checked_client_refuses_to_work_when_nothing_records() -> None:
    with pytest.MonkeyPatch.context() as patch, pytest.raises(RuntimeError, match="no ledger"):
        patch.setattr("tests.clients._current", [])
        CheckedClient().get("/healthz")


def test_a_test_that_ignores_a_status_fails_and_one_that_checks_it_passes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hook and the autouse ledger of tests/conftest.py, in a pytest run of their own.
    pytester.makeconftest("from tests.conftest import _response_ledger, client_for, pytest_runtest_call\n")
    pytester.makepyfile(
        test_statuses="""
        from tests.conftest import client_for

        def test_ignores_the_status():
            assert client_for(None).post("/healthz").json()["status"] == 405

        def test_checks_the_status():
            assert client_for(None).post("/healthz").status_code == 405

        def test_fails_by_itself():
            client_for(None).get("/healthz")
            assert False, "failed for its own reason"
        """
    )
    monkeypatch.setenv("PYTHONPATH", str(settings.BASE_DIR))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings")

    # -rN: no short summary, whose lines repeat the failure messages or not by the terminal's width.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rN")

    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*test_ignores_the_status*",
            "the test never checked the status of 1 response(s)*",
            "  POST /healthz",
        ]
    )
    # A test that failed by itself is not failed a second time for the response it ignored.
    assert "failed for its own reason" in result.stdout.str()
    assert result.stdout.str().count("never checked the status") == 1
