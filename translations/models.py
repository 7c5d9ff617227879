from django.conf import settings
from django.db import models


class TranslationRecord(models.Model):
    """What one language's text of a page was written against, so a later change in Japanese shows as stale.

    Rows are kept by `record_translation_changes` on every save of a page; staff confirm machine-made or stale
    translations from the translation report.
    """

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="translation_records")
    language = models.CharField(max_length=15)
    source_digest = models.CharField(max_length=64, help_text="Digest of the source text this translation matches.")
    translation_digest = models.CharField(max_length=64)
    machine_made = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "language"], name="one_record_per_page_language")]

    def __str__(self) -> str:
        return f"{self.page_id}/{self.language}"
