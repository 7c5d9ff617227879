import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from analytics.anonymous_ids import tokyo_day
from demo.synthetic_traffic import NoContent, clear_synthetic, simulate, synthetic_days


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date like 2025-11-30, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Simulate visitors from each market through the analytics intake, every event marked synthetic "
        "(rules: demo/SYNTHETIC_TRAFFIC.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=56, help="Days to simulate, ending with --until (default 56).")
        parser.add_argument("--visitors", type=int, default=1500, help="Synthetic people (default 1500).")
        parser.add_argument("--seed", type=int, default=2024, help="Same seed, same days: same data (default 2024).")
        parser.add_argument("--until", type=_date, help="Last Tokyo day simulated (default: yesterday).")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Delete all earlier synthetic events, consent answers and profiles first. Without it the command "
            "refuses to add synthetic data to days that already have some.",
        )

    def handle(self, *args, days: int, visitors: int, seed: int, until: dt.date | None, clear: bool, **options):
        verbosity = options["verbosity"]
        yesterday = tokyo_day() - dt.timedelta(days=1)
        until = until or yesterday
        if until > yesterday:
            raise CommandError(f"--until must be a day that is over in Asia/Tokyo ({yesterday} at the latest).")
        if days < 1 or visitors < 1:
            raise CommandError("--days and --visitors must be at least 1.")
        start = until - dt.timedelta(days=days - 1)
        if clear:
            removed = clear_synthetic()
            if verbosity and any(removed.values()):
                summary = ", ".join(f"{n:,} {label}" for label, n in removed.items())
                self.stdout.write(f"Removed earlier synthetic data: {summary}.")
        else:
            overlap = [day for day in synthetic_days() if start <= day <= until]
            if overlap:
                raise CommandError(
                    f"Synthetic events already exist from {overlap[0]} to {overlap[-1]}; run again with --clear "
                    "to replace them."
                )
        try:
            with tqdm(total=days, desc="Synthetic visitors", unit="day", disable=verbosity == 0) as bar:
                result = simulate(people=visitors, days=days, until=until, seed=seed, progress=bar.update)
        except NoContent as error:
            raise CommandError(f"Nothing to visit: {error}.") from None
        self.result = result  # the generator's truth, for tests (never stored)
        names = ", ".join(f"{n:,} {name}" for name, n in result.by_name.most_common())
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic traffic {result.start} – {result.until} (seed {seed}): {len(result.people):,} people, "
                f"{result.visits:,} visits, {result.events:,} events, {result.profiles:,} consented profiles "
                f"({result.declined:,} declined, {result.withdrawn:,} withdrew) in {result.seconds:.1f} s."
            )
        )
        if verbosity:
            markets = ", ".join(f"{key} {n:,}" for key, n in result.markets.most_common())
            self.stdout.write(f"Events: {names}.")
            self.stdout.write(f"People by market: {markets}.")
            if result.refused:
                self.stdout.write(self.style.WARNING(f"{result.refused:,} events refused by the rate limit."))
