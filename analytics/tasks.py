"""Scheduled analytics jobs, run by Celery beat (schedule in visitaizu/settings/base.py)."""

from celery import shared_task

from . import anonymous_ids, buffer, rollups, storage


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


@shared_task(ignore_result=True)
def roll_up_recent_days() -> list[str]:
    """Today and any earlier day late events touched (every 15 minutes)."""
    return [day.isoformat() for day in _roll_up(rollups.days_to_roll_up())]


@shared_task(ignore_result=True)
def roll_up_nightly() -> list[str]:
    """The two days before today as well, so every day is rebuilt once it can no longer change."""
    return [day.isoformat() for day in _roll_up(rollups.days_to_roll_up(nightly=True))]


def _roll_up(days):
    for day in days:
        rollups.roll_up_day(day)
    return days


@shared_task(ignore_result=True)
def purge_old_events() -> int:
    """Delete raw events past ANALYTICS_RETENTION_DAYS; rollups stay."""
    return storage.purge_raw_events()
