import secrets

from django.core.management.base import BaseCommand

from analytics.models import StatsToken
from analytics.stats_api import hash_stats_token


class Command(BaseCommand):
    help = "Make a key for the stats API. It is printed once; only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("name", help="who or what uses the key, e.g. 'city data platform'")

    def handle(self, *args, name: str, **options):
        token = secrets.token_urlsafe(32)
        StatsToken.objects.create(name=name, token_hash=hash_stats_token(token))
        self.stdout.write(f"Stats API key for {name!r} (shown only now):\n{token}")
