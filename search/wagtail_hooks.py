from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


class SiteSearchesMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("search.view_searchquerylog")


@hooks.register("register_admin_urls")
def register_site_search_report_url():
    return [path("site-searches/", admin_views.site_search_report, name="search_site_searches")]


@hooks.register("register_reports_menu_item")
def register_site_search_report_menu_item():
    return SiteSearchesMenuItem(_("Site searches"), reverse("search_site_searches"), icon_name="search", order=60)
