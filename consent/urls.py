from django.urls import path

from . import views

urlpatterns = [
    path("consent", views.consent, name="consent"),
    path("consent/withdraw", views.withdraw, name="consent_withdraw"),
    path("profile", views.profile, name="visitor_profile"),
]
