"""Settings for the beat test's worker: the development settings with every entry of the real beat schedule due
every second or two. Names, tasks, args and options stay as configured, so the test runs the schedule we ship."""

from visitaizu.settings.dev import *  # noqa: F403
from visitaizu.settings.dev import CELERY_BEAT_SCHEDULE as CONFIGURED_BEAT_SCHEDULE

# The drain every second (as its short period in production suggests); the others every two.
FAST_SECONDS = {"drain-event-buffer": 1.0}
CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": FAST_SECONDS.get(name, 2.0)} for name, entry in CONFIGURED_BEAT_SCHEDULE.items()
}
