"""Settings for benchmarks: production-like (DEBUG off, real cache), without production's required secrets."""

from visitaizu.settings.base import *  # noqa: F403
from visitaizu.settings.base import env

DEBUG = False
SECRET_KEY = "bench-only-secret"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
WHITENOISE_USE_FINDERS = True
if not env("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405  (as in production)
