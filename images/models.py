"""Images with alt text and captions in every language (Wagtail's own image model cannot be translated in place)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.exceptions import InvalidFilterSpecError
from wagtail.images.models import AbstractImage, AbstractRendition, Filter, Image


class AizuImage(AbstractImage):
    alt_text = models.CharField(max_length=255, blank=True, help_text=_("Describe the picture for screen readers."))
    caption = models.CharField(max_length=255, blank=True)
    credit = models.CharField(max_length=255, blank=True)
    is_illustration = models.BooleanField(
        default=False, help_text=_("A drawn illustration, not a photograph of the place.")
    )

    admin_form_fields = Image.admin_form_fields + ("alt_text", "caption", "credit", "is_illustration")

    @property
    def default_alt_text(self) -> str:
        return self.alt_text or self.title

    def get_rendition(self, filter: Filter | str) -> AbstractRendition:
        """Wagtail's `get_rendition` writes the rendition to the cache after every read, even one it has just read
        from there: a cache write per picture on every render. `get_renditions` skips the renditions read from the
        cache (AizuRendition.__setstate__ marks them)."""
        if not isinstance(filter, str | Filter):
            raise InvalidFilterSpecError("Unrecognised filter format - string or Filter instance expected")
        (rendition,) = self.get_renditions(filter).values()
        return rendition


class AizuRendition(AbstractRendition):
    image = models.ForeignKey(AizuImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)

    def __setstate__(self, state: dict) -> None:
        """Unpickled means read from the rendition cache: marked so Wagtail does not write it straight back (it
        marks only prefetched renditions), which cost a cache write per picture on every render."""
        super().__setstate__(state)
        self._from_cache = True
