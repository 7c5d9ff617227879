from modeltranslation.translator import TranslationOptions, register

from .models import ConsentNotice


@register(ConsentNotice)
class ConsentNoticeTranslation(TranslationOptions):
    fields = ("title", "data_collected", "purpose", "recipients")
