"""Production: PostgreSQL, Redis, Celery workers; secrets and hosts must come from the environment."""

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, SECRET_KEY, env, require

DEBUG = False
require("SECRET_KEY", SECRET_KEY)
require("DATABASE_URL", env("DATABASE_URL"))
require("REDIS_URL", REDIS_URL)
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DATABASE_CONN_MAX_AGE", "60"))
SESSION_COOKIE_SECURE = env("SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES = {
    "default": {"BACKEND": env("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Wagtail's own jobs run on the Celery workers, like every other background job.
TASKS = {"default": {"BACKEND": "visitaizu.celery_tasks_backend.CeleryTaskBackend"}}
# Recommend from what real visitors do; synthetic demo traffic must not shape a live site.
RECOMMENDER_USE_SYNTHETIC = env("RECOMMENDER_USE_SYNTHETIC", "0") == "1"
