from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import cache_page
from wagtail.models import Page, Site

from translations.languages import language_tag, supported_languages
from translations.state import records_by_page, translation_statuses


@cache_page(60 * 15)
def sitemap(request: HttpRequest) -> HttpResponse:
    """Every page once per language it really has, each entry listing its alternates.

    Wagtail's sitemap knows only the active language; a page shown in fallback in some language is left out
    for that language, since its canonical points elsewhere.
    """
    site = Site.find_for_request(request)
    pages = Page.objects.live().public().descendant_of(site.root_page, inclusive=True).specific() if site else []
    entries = []
    records = records_by_page()
    for page in pages:
        statuses = translation_statuses(page, records.get(page.pk, []))
        urls = {}
        for code in supported_languages():
            if statuses[code].has_language:
                with translation.override(code):
                    urls[code] = request.build_absolute_uri(page.get_url(request))
        alternates = [{"tag": language_tag(code), "url": url} for code, url in urls.items()]
        x_default = urls.get(settings.LANGUAGE_CODE) or urls.get(settings.SOURCE_LANGUAGE)
        for url in urls.values():
            entries.append(
                {"loc": url, "lastmod": page.last_published_at, "alternates": alternates, "x_default": x_default}
            )
    return render(request, "seo/sitemap.xml", {"entries": entries}, content_type="application/xml; charset=utf-8")


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /language/",
        *(f"Disallow: /{code}/search/" for code in supported_languages()),
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
