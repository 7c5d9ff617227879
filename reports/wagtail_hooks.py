from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import views
from .models import ReportRecipient

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("download/<str:kind>/", views.download, name="download"),
    path("utm/", views.utm_builder, name="utm"),
]


class MarketerMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("reports.view_dashboard")


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("marketing/", include((urlpatterns, "reports"), namespace="reports"))]


@hooks.register("register_reports_menu_item")
def register_dashboard_menu_item():
    return MarketerMenuItem(_("Marketing dashboard"), reverse("reports:dashboard"), icon_name="table", order=10)


@hooks.register("register_reports_menu_item")
def register_utm_menu_item():
    return MarketerMenuItem(_("UTM link builder"), reverse("reports:utm"), icon_name="link", order=11)


class ReportRecipientViewSet(SnippetViewSet):
    """The weekly email's list: who is subscribed, in which language, and who unsubscribed when."""

    model = ReportRecipient
    icon = "mail"
    list_display = ["email", "language", BooleanColumn("active"), "unsubscribed_at"]
    list_filter = ["active", "language"]
    search_fields = ["email"]
    search_backend_name = None  # a plain database filter: recipients are not in the site search index


register_snippet(ReportRecipientViewSet)
