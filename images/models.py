"""Images with alt text and captions in every language (Wagtail's own image model cannot be translated in place)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image


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


class AizuRendition(AbstractRendition):
    image = models.ForeignKey(AizuImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
