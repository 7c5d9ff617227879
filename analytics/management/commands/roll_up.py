import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from analytics import rollups
from analytics.anonymous_ids import tokyo_day


class Command(BaseCommand):
    help = "Rebuild the daily rollups of recent days (what the scheduled jobs do), or of chosen dates."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="today and this many days before it")
        parser.add_argument("--date", action="append", default=[], help="a day to rebuild, YYYY-MM-DD (repeatable)")

    def handle(self, *args, days: int, date: list[str], **options):
        try:
            chosen = [dt.date.fromisoformat(value) for value in date]
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD: {error}") from None
        if days < 0:
            raise CommandError("--days must be 0 or more")
        today = tokyo_day()
        targets = chosen or [today - dt.timedelta(days=offset) for offset in range(days, -1, -1)]
        events = 0
        for day in tqdm(targets, desc="Rolling up", unit="day", disable=options["verbosity"] == 0):
            events += rollups.roll_up_day(day)
        self.stdout.write(f"Rolled up {len(targets)} days ({events} raw events).")
