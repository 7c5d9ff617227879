from modeltranslation.translator import TranslationOptions, register

from .models import EventIndexPage, EventPage


@register(EventIndexPage)
class EventIndexPageTranslation(TranslationOptions):
    fields = ("intro",)


@register(EventPage)
class EventPageTranslation(TranslationOptions):
    fields = ("summary", "description", "usual_timing", "place_name")
