"""Start-up checks: every message has its bokmål template and every event names a message; in
production (``check --deploy``) email and SMS really leave the machine."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.template import TemplateDoesNotExist, TemplateSyntaxError

from notifications.catalogue import (
    DIGEST_KIND,
    EVENT_HOLDER_MESSAGES,
    EVENT_MESSAGES,
    FALLBACK_LANGUAGE,
    LANGUAGES,
    MESSAGES,
)

DEVELOPMENT_EMAIL_BACKENDS = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("filebased", "console", "locmem", "dummy")
)


@checks.register("notifications", deploy=True)
def production_channels(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production email must leave the machine, and SMS must not land in a file or a log."""
    from notifications.sms import DEVELOPMENT_BACKENDS

    found: list[checks.CheckMessage] = []
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL_BACKENDS:
        found.append(
            checks.Warning(
                "Email is not sent: EMAIL_BACKEND is a development backend.",
                hint="Set EMAIL_URL to the municipality's SMTP relay, e.g. smtp+tls://user:pass@relay:587.",
                id="notifications.W001",
            )
        )
    if settings.SMS_BACKEND in DEVELOPMENT_BACKENDS:
        found.append(
            checks.Warning(
                "SMS would be written to a file or a log with the recipients' numbers.",
                hint="Set SMS_BACKEND to the provider's backend, or notifications.sms.DisabledSmsBackend.",
                id="notifications.W002",
            )
        )
    if settings.PUBLIC_BASE_URL.startswith(("http://127.", "http://localhost", "http://[::1]")):
        found.append(
            checks.Warning(
                "Messages link to this machine: PUBLIC_BASE_URL is a local address.",
                hint="Set PUBLIC_BASE_URL to the address people open, e.g. https://medvirk.kommune.no.",
                id="notifications.W003",
            )
        )
    return found


@checks.register("notifications")
def send_lease(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A sender's claim must outlive any task that sends, or a live worker's row could be sent twice."""
    longest = max(settings.CELERY_TASK_TIME_LIMIT, settings.NOTIFICATIONS_TASK_SOFT_TIME_LIMIT + 30)
    if longest > settings.NOTIFICATIONS_SEND_LEASE_SECONDS:
        return [
            checks.Warning(
                f"NOTIFICATIONS_SEND_LEASE_SECONDS ({settings.NOTIFICATIONS_SEND_LEASE_SECONDS}) is shorter "
                f"than the longest task that sends ({longest} s).",
                hint="A notification could be sent twice by two live workers; raise the lease.",
                id="notifications.W004",
            )
        ]
    return []


@checks.register("notifications")
def message_templates(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from notifications.rendering import _engine, template_name

    errors: list[checks.CheckMessage] = []
    named = [(event, kind) for event, kinds in EVENT_HOLDER_MESSAGES.items() for kind in kinds.values()]
    for event, kind in sorted([*EVENT_MESSAGES.items(), *named]):
        if kind not in MESSAGES:
            errors.append(
                checks.Error(
                    f"The outbox event '{event}' names the message '{kind}', which does not exist.",
                    hint="Add it to notifications.catalogue.MESSAGES or correct the name.",
                    id="notifications.E001",
                )
            )
    for kind in [*sorted(MESSAGES), DIGEST_KIND]:
        for language in LANGUAGES:
            name = template_name(kind, language)
            try:
                _engine().get_template(name)
            except TemplateDoesNotExist:
                if language == FALLBACK_LANGUAGE:
                    errors.append(
                        checks.Error(
                            f"The message '{kind}' has no template '{name}'.",
                            hint="Every message needs its bokmål template in "
                            "notifications/templates/notifications/messages/.",
                            id="notifications.E002",
                        )
                    )
            except TemplateSyntaxError as error:
                errors.append(
                    checks.Error(f"The template '{name}' does not compile: {error}", id="notifications.E003")
                )
    return errors
