"""The yearly quality conversations, as a Celery beat task (thin: the services do the work)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from casework.models import Municipality
from casework.system import system_actor
from quality_conversations.services import quality_conversations_expire, quality_conversations_generate

logger = logging.getLogger(__name__)


@shared_task(name="quality_conversations.yearly", ignore_result=True)
def quality_conversations_yearly() -> dict[str, int]:
    """Daily: from each municipality's configured day, make sure this year's conversations exist,
    and expire last year's unfinished ones. Safe to run any number of times (idempotent).

    Both are done by the system actor (``casework.system``), never by a person's login."""
    today = timezone.localdate()
    created: dict[str, int] = {}
    for municipality in Municipality.objects.all():
        start = datetime.date(today.year, municipality.conversations_month, municipality.conversations_day)
        if today >= start:
            result = quality_conversations_generate(municipality=municipality, year=today.year, on=today)
            created[municipality.number] = result.created
    quality_conversations_expire(year=today.year - 1, actor=system_actor())
    logger.info("quality conversations: created %s", created)
    return created
