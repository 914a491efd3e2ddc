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
