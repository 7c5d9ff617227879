"""The Celery app: background and scheduled jobs for every VisitAizu app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visitaizu.settings.dev")

app = Celery("visitaizu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
