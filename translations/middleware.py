from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .languages import negotiate_language


class VisitorLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware with our negotiation: the URL prefix, else the visitor's choice, else the browser.

    Django's own matching sends an unknown language to LANGUAGE_CODE but treats zh-CN and zh-TW by its
    own tables; ours is explicit and tested.
    """

    def process_request(self, request: HttpRequest) -> None:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        i18n_patterns_used, _prefixed = is_language_prefix_patterns_used(urlconf)
        language = translation.get_language_from_path(request.path_info) if i18n_patterns_used else None
        translation.activate(language or negotiate_language(request))
        request.LANGUAGE_CODE = translation.get_language()
