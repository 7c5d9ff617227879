"""Send the weekly report by hand:
`manage.py send_weekly_report [--week 2026-W47] [--to a@b ...] [--synthetic] [--resend]`."""

from django.core.management.base import BaseCommand, CommandError

from reports.mailing import send_weekly_report
from reports.models import ReportRecipient
from reports.weekly import last_complete_week, parse_iso_week


class Command(BaseCommand):
    help = "Email the weekly report of an ISO week (default: last week) to the active recipients."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week as YYYY-Www, e.g. 2026-W47 (default: the week before this one)")
        parser.add_argument(
            "--to", nargs="+", metavar="EMAIL", help="only these addresses (each must be an active recipient)"
        )
        parser.add_argument("--synthetic", action="store_true", help="report the simulated visitors instead")
        parser.add_argument(
            "--resend", action="store_true", help="send also to those who already got this week's report"
        )

    def handle(self, *args, week=None, to=None, synthetic=False, resend=False, **options):
        week_asked = parse_iso_week(week) if week else last_complete_week()
        if week_asked is None:
            raise CommandError(f"--week {week!r} is not an ISO week such as 2026-W47.")
        iso_year, iso_week = week_asked
        if to:
            active = set(ReportRecipient.objects.filter(email__in=to, active=True).values_list("email", flat=True))
            unknown = sorted(set(to) - active)
            if unknown:
                raise CommandError(
                    f"Not active recipients: {', '.join(unknown)}. Add them under Snippets → Report recipients."
                )
        result = send_weekly_report(iso_year, iso_week, to=to, synthetic=synthetic, resend=resend)
        self.stdout.write(f"{iso_year}-W{iso_week:02d}: {result['sent']} sent, {result['failed']} failed")
        if result["failed"]:
            raise CommandError(f"{result['failed']} emails could not be sent (see the log).")
