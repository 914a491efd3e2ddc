"""Celery tasks of the casework core."""

import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="casework.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Scheduled by beat every minute: proves the worker and beat run (visible in the log)."""
    stamp = timezone.now().isoformat()
    logger.info("heartbeat %s", stamp)
    return stamp


@shared_task(name="casework.tasks.quality_conversations_yearly", ignore_result=True)
def quality_conversations_yearly() -> dict[str, int]:
    """Daily: from each municipality's configured day, make sure this year's conversations exist,
    and expire last year's unfinished ones. Safe to run any number of times (idempotent).

    Both are done by the system actor (``casework.system``), never by a person's login."""
    import datetime

    from casework.conversations import quality_conversations_expire, quality_conversations_generate
    from casework.models import Municipality
    from casework.system import system_actor

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
