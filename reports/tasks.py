"""The weekly report email, run by Celery beat on Mondays at 09:00 Asia/Tokyo (schedule in visitaizu/settings)."""

from celery import shared_task

from .mailing import send_weekly_report
from .weekly import last_complete_week


@shared_task(ignore_result=True)
def send_weekly_report_email() -> dict[str, int]:
    """The report of the ISO week that ended yesterday, to every active recipient in their language."""
    return send_weekly_report(*last_complete_week())
