from django.urls import path

from . import stats_api
from .views import collect_event

urlpatterns = [
    path("events", collect_event, name="collect_event"),
    path("stats/v1/aggregate", stats_api.aggregate, name="stats_aggregate"),
    path("stats/v1/breakdown", stats_api.breakdown_view, name="stats_breakdown"),
    path("stats/v1/timeseries", stats_api.timeseries_view, name="stats_timeseries"),
    path("stats/v1/open-data.csv", stats_api.open_data_csv, name="stats_open_data"),
]
