from django.urls import path

from .views import collect_event

urlpatterns = [path("events", collect_event, name="collect_event")]
