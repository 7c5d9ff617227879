from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

app_name = "translations"
urlpatterns = [
    path("", admin_views.translation_report, name="report"),
    path("<int:page_id>/<str:language>/review/", admin_views.review_translation, name="review"),
]


@hooks.register("register_admin_urls")
def register_translation_urls():
    return [path("translations/", include((urlpatterns, "translations"), namespace="translations"))]


@hooks.register("register_reports_menu_item")
def register_translation_report_menu_item():
    return MenuItem(_("Translations"), reverse("translations:report"), icon_name="globe", order=50)
