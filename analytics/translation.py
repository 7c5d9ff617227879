from modeltranslation.translator import TranslationOptions, register

from .models import Market


@register(Market)
class MarketTranslation(TranslationOptions):
    fields = ("name",)
