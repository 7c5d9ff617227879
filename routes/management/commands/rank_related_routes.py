from django.core.management.base import BaseCommand

from routes.models import RelatedRoute


class Command(BaseCommand):
    help = "Rank every live route's related routes (publishing a route does this; run once after migrating)."

    def handle(self, *args, **options) -> None:
        RelatedRoute.rank_all()
        self.stdout.write(f"{RelatedRoute.objects.count()} related routes ranked")
