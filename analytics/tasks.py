"""Scheduled analytics jobs, run by Celery beat (schedule in visitaizu/settings/base.py)."""

from celery import shared_task

from . import anonymous_ids, buffer, storage


@shared_task(ignore_result=True)
def drain_event_buffer() -> int:
    """Copy accepted events from Redis into the database; a failed run leaves them for the next one."""
    return buffer.drain()


@shared_task(ignore_result=True)
def rotate_salts() -> int:
    """Make today's salt ahead of the first event and delete the salts whose 48 hours are over."""
    anonymous_ids.salt_for(anonymous_ids.tokyo_day())
    return anonymous_ids.delete_old_salts()


@shared_task(ignore_result=True)
def create_event_partitions() -> list[str]:
    return storage.ensure_partitions()
