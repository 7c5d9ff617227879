from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from routes.views import recommendations
from seo.views import robots_txt, sitemap
from translations.views import choose_language

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("language/<str:code>/", choose_language, name="choose_language"),
    path("api/", include("analytics.urls")),
    path("api/", include("consent.urls")),
    path("api/recommendations", recommendations, name="recommendations"),
    path("reports/", include("reports.urls")),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Every visitor-facing page lives under its language prefix (/ja/, /en/, /zh-hant/ ...); `/` negotiates.
urlpatterns += i18n_patterns(
    path("search/", include("search.urls")),  # before Wagtail's catch-all page route
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
