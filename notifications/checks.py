"""Start-up checks: every message has its bokmål template and every event names a message."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.template import TemplateDoesNotExist, TemplateSyntaxError

from notifications.catalogue import DIGEST_KIND, EVENT_MESSAGES, FALLBACK_LANGUAGE, LANGUAGES, MESSAGES


@checks.register("notifications")
def message_templates(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from notifications.rendering import _engine, template_name

    errors: list[checks.CheckMessage] = []
    for event, kind in sorted(EVENT_MESSAGES.items()):
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
