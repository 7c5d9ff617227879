from modeltranslation.translator import TranslationOptions, register

from .models import AizuImage


@register(AizuImage)
class AizuImageTranslation(TranslationOptions):
    fields = ("alt_text", "caption")
