from django.core.management.base import BaseCommand
from tqdm import tqdm
from wagtail.models import Page

from search.indexing import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the site search index (every live page in every language). Searches keep working meanwhile."

    def handle(self, *args, **options):
        total = Page.objects.live().exclude(depth=1).count()
        with tqdm(total=total, desc="Search index", unit="page", disable=options["verbosity"] == 0) as bar:
            written = rebuild_index(on_page=lambda page: bar.update())
        self.stdout.write(self.style.SUCCESS(f"Search index ready: {written} documents for {total} pages."))
