"""Public address of the weekly email's unsubscribe link (no login: the signed token says who)."""

from django.urls import path

from .views import unsubscribe

urlpatterns = [path("unsubscribe/<str:token>/", unsubscribe, name="report_unsubscribe")]
