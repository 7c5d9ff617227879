import logging

from django.apps import AppConfig
from django.db import DatabaseError
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Site search"

    def ready(self) -> None:
        from . import signals  # noqa: F401

        post_migrate.connect(build_missing_index, sender=self)


def build_missing_index(using: str = "default", **kwargs) -> None:
    """A database that had pages before this app was installed gets its index on the next `migrate`."""
    from django.db import connection
    from wagtail.models import Page

    from .indexing import rebuild_index
    from .models import SearchDocument

    if using != "default" or SearchDocument._meta.db_table not in connection.introspection.table_names():
        return  # another database, or migrated back to before this app
    with connection.cursor() as cursor:
        columns = {column.name for column in connection.introspection.get_table_description(cursor, "wagtailcore_page")}
    if any(field.column not in columns for field in Page._meta.concrete_fields):
        return  # a new database: wagtail-modeltranslation adds the language columns after this signal; no pages yet
    if SearchDocument.objects.exists() or not Page.objects.filter(depth__gt=1).exists():
        return
    try:
        rebuild_index()
    except DatabaseError:
        logger.warning("Could not build the search index now: run manage.py rebuild_search_index.", exc_info=True)
