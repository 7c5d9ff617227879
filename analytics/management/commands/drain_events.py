import time

from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections

from analytics import buffer


class Command(BaseCommand):
    help = "Copy accepted events waiting in Redis into the database (what the drain task does), once or in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep draining until interrupted")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between runs with --loop")

    def handle(self, *args, loop: bool, interval: float, **options):
        if not buffer.uses_redis():
            self.stdout.write("Events are written directly (ANALYTICS_BUFFER=direct): nothing to drain.")
            return
        while True:
            try:
                written = buffer.drain()
                if written or not loop:
                    self.stdout.write(f"{written} records written; {buffer.pending_count()} waiting.")
            except OperationalError as error:  # database down: records stay in Redis
                close_old_connections()
                self.stderr.write(f"Database unavailable, will retry: {error}".strip())
                if not loop:
                    raise SystemExit(1) from None
            if not loop:
                return
            time.sleep(interval)
