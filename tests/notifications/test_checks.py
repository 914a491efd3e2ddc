"""The start-up check finds messages without templates and events naming unknown messages."""

from __future__ import annotations

from typing import Any

from notifications import catalogue, checks


def test_the_shipped_catalogue_passes() -> None:
    assert checks.message_templates() == []


def test_an_event_naming_an_unknown_message_is_an_error(monkeypatch: Any) -> None:
    monkeypatch.setitem(catalogue.EVENT_MESSAGES, "plan.activate", "plan_aproved")
    monkeypatch.setattr(checks, "EVENT_MESSAGES", catalogue.EVENT_MESSAGES)

    errors = checks.message_templates()

    assert [error.id for error in errors] == ["notifications.E001"]
    assert "plan_aproved" in errors[0].msg


def test_a_message_without_its_bokmaal_template_is_an_error(monkeypatch: Any) -> None:
    message = catalogue.MESSAGES["plan_approved"]
    monkeypatch.setitem(catalogue.MESSAGES, "plan_archived", message)

    errors = checks.message_templates()

    assert [error.id for error in errors] == ["notifications.E002"]
    assert "plan_archived.nb.txt" in errors[0].msg


def test_the_check_runs_at_start_up(monkeypatch: Any) -> None:
    from django.core import checks as django_checks

    monkeypatch.setitem(catalogue.MESSAGES, "plan_archived", catalogue.MESSAGES["plan_approved"])

    errors = django_checks.run_checks(tags=["notifications"])

    assert [error.id for error in errors] == ["notifications.E002"]


def test_production_warns_while_email_and_sms_stay_on_the_machine(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.SMS_BACKEND = "notifications.sms.FileSmsBackend"
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"

    assert [warning.id for warning in checks.production_channels()] == [
        "notifications.W001",
        "notifications.W002",
        "notifications.W003",
    ]


def test_production_with_a_relay_and_sms_switched_off_is_clean(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.SMS_BACKEND = "notifications.sms.DisabledSmsBackend"
    settings.PUBLIC_BASE_URL = "https://medvirk.kommune.no"

    assert checks.production_channels() == []


def test_a_lease_shorter_than_a_sending_task_is_a_warning(settings: Any) -> None:
    settings.NOTIFICATIONS_SEND_LEASE_SECONDS = 60

    assert [warning.id for warning in checks.send_lease()] == ["notifications.W004"]


def test_the_default_lease_outlives_every_sending_task() -> None:
    assert checks.send_lease() == []
