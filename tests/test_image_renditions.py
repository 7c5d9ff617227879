"""Renditions read from the cache are not written back to it on every render."""

from contextlib import contextmanager
from unittest import mock

import pytest

from images.models import AizuImage, AizuRendition

pytestmark = pytest.mark.django_db


@contextmanager
def counting_cache_writes():
    """Calls of the rendition cache's `set` and `set_many` (a `set_many` counts once, whatever it calls)."""
    cache = AizuRendition.cache_backend
    original_set, original_set_many = cache.set, cache.set_many
    writes, inside = [0], []

    def set_one(*args, **kwargs):
        writes[0] += not inside
        return original_set(*args, **kwargs)

    def set_many(*args, **kwargs):
        writes[0] += 1
        inside.append(True)
        try:
            return original_set_many(*args, **kwargs)
        finally:
            inside.pop()

    with mock.patch.object(cache, "set", set_one), mock.patch.object(cache, "set_many", set_many):
        yield writes


def test_a_rendition_read_from_the_cache_is_not_written_again():
    image = AizuImage.objects.first()
    created = image.get_rendition("fill-64x36")  # made (or found in the database) and cached
    with counting_cache_writes() as writes:
        again = AizuImage.objects.get(pk=image.pk).get_rendition("fill-64x36")
    assert again.url == created.url and again.width == created.width
    assert writes == [0]
    AizuRendition.cache_backend.clear()
    with counting_cache_writes() as writes:
        found = AizuImage.objects.get(pk=image.pk).get_rendition("fill-64x36")  # from the database: cached again
    assert found.pk == created.pk and writes == [1]
    with counting_cache_writes() as writes:
        AizuImage.objects.get(pk=image.pk).get_rendition("fill-32x18")  # a new size: made and cached
    assert writes == [1]
