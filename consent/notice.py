"""The notice the dialog shows, cached in the shared cache because every uncached page render needs it."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from visitaizu import page_cache

from .models import ConsentNotice

_KEY = "consent:notice"


def current_notice() -> ConsentNotice | None:
    notice = cache.get(_KEY)
    if notice is None:
        notice = ConsentNotice.objects.first() or False
        cache.set(_KEY, notice, 3600)
    return notice or None


@receiver(post_save, sender=ConsentNotice)
@receiver(post_delete, sender=ConsentNotice)
def _notice_changed(**kwargs) -> None:
    """A new notice changes every page's dialog and asks agreed visitors again."""
    cache.delete(_KEY)
    page_cache.invalidate()
