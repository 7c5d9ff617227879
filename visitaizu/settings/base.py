"""Settings shared by every environment; everything secret or host-specific comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VISITAIZU_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # wagtail-modeltranslation must come before the apps whose models it translates.
    "wagtail_modeltranslation",
    "wagtail_modeltranslation.makemigrations",
    "wagtail_modeltranslation.migrate",
    "visitaizu",
    "translations",
    "content",
    "images",
    "routes",
    "events",
    "search",
    "seo",
    "consent",
    "analytics",
    "reports",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "visitaizu.page_cache.PageCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "translations.middleware.VisitorLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "visitaizu.urls"
WSGI_APPLICATION = "visitaizu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "visitaizu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'visitaizu.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets a web process and a worker write the same file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and shared state: Redis when REDIS_URL is set, else the database (shared by all processes).
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "visitaizu",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "visitaizu_cache",
            # Salts and rate-limit counters live here too: never cull them for room.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Seconds a rendered page stays cached; publishing anything clears the whole page cache at once.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "600"))
# Bytes of cached pages each web process also keeps in memory (visitaizu.page_cache.GenerationMemo).
PAGE_CACHE_MEMO_BYTES = int(env("PAGE_CACHE_MEMO_BYTES", str(32 * 1024 * 1024)))

# --- Celery: a broker that needs no server (SQLAlchemy over SQLite) unless CELERY_BROKER_URL says otherwise.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND")
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = "Asia/Tokyo"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Schedules are in Asia/Tokyo (CELERY_TIMEZONE). Shown in the README.
CELERY_BEAT_SCHEDULE: dict = {
    # Seconds between copies of buffered events from Redis to PostgreSQL (a no-op without Redis).
    "drain-event-buffer": {
        "task": "analytics.tasks.drain_event_buffer",
        "schedule": float(env("ANALYTICS_DRAIN_SECONDS", "5")),
    },
    "rotate-salts": {"task": "analytics.tasks.rotate_salts", "schedule": crontab(minute="0,30")},
    "create-event-partitions": {"task": "analytics.tasks.create_event_partitions", "schedule": crontab(minute=7)},
    "roll-up-recent-days": {"task": "analytics.tasks.roll_up_recent_days", "schedule": crontab(minute="*/15")},
    "roll-up-nightly": {"task": "analytics.tasks.roll_up_nightly", "schedule": crontab(hour=0, minute=20)},
    "purge-old-events": {"task": "analytics.tasks.purge_old_events", "schedule": crontab(hour=3, minute=40)},
    "train-recommender": {"task": "routes.tasks.train_recommender", "schedule": crontab(hour=2, minute=30)},
    "weekly-report-email": {
        "task": "reports.tasks.send_weekly_report_email",
        "schedule": crontab(day_of_week="mon", hour=9, minute=0),
    },
}

# Wagtail's own background jobs (reference index, search index, renditions) go through django-tasks;
# production hands them to Celery, development and tests run them at once.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages. Japanese is the source of every text; English is the default for unknown visitors.
# Adding a language: add it here (and to its fallbacks if needed), then `makemigrations`,
# its catalogue under locale/, its consent text and its content. No code changes.
LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
    ("ko", "한국어"),
    ("th", "ไทย"),
]
LANGUAGE_CODE = "en"
SOURCE_LANGUAGE = "ja"
MODELTRANSLATION_DEFAULT_LANGUAGE = SOURCE_LANGUAGE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = {
    "default": ("en", "ja"),
    "zh-hant": ("zh-hans", "en", "ja"),
    "zh-hans": ("zh-hant", "en", "ja"),
    "en": ("ja",),
    "ja": ("en",),
}
# BCP 47 tags for <html lang> and hreflang, and Open Graph locales, where they differ from Django's codes.
LANGUAGE_TAGS = {"zh-hant": "zh-Hant", "zh-hans": "zh-Hans"}
OG_LOCALES = {"ja": "ja_JP", "en": "en_US", "zh-hant": "zh_TW", "zh-hans": "zh_CN", "ko": "ko_KR", "th": "th_TH"}
# Browser language tags that name a language by region or script rather than by our code.
LANGUAGE_ALIASES = {
    "zh-tw": "zh-hant",
    "zh-hk": "zh-hant",
    "zh-mo": "zh-hant",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-my": "zh-hans",
    "zh": "zh-hans",
}
LANGUAGE_COOKIE_NAME = "visitaizu_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "static_collected")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Email
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "VisitAizu <noreply@localhost>")

# --- Analytics intake (see analytics/EVENTS.md)
# The HTTP header a CDN sets with the visitor's country (Cloudflare's CF-IPCountry by default); empty: none.
ANALYTICS_COUNTRY_HEADER = env("COUNTRY_HEADER", "CF-IPCountry")
# Optional MaxMind GeoLite2/GeoIP2 Country database file, used when the CDN header is missing.
ANALYTICS_GEOIP_DATABASE = env("GEOIP_DATABASE", "")
# Where the client's address is read: REMOTE_ADDR, or the header a trusted proxy sets (e.g. X-Forwarded-For,
# whose last entry is then taken as the one the proxy saw). Used only to hash; never stored or logged.
ANALYTICS_CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", "")
# "redis": accepted events wait in Redis and a Celery task writes them in batches (production);
# "direct": each event is written at once (the embedded default: SQLite, no Redis).
ANALYTICS_BUFFER = env("ANALYTICS_BUFFER", "redis" if REDIS_URL else "direct")
# Events one anonymous visitor may send per minute before getting 429.
ANALYTICS_RATE_LIMIT = int(env("ANALYTICS_RATE_LIMIT", "120"))
# Raw events older than this are purged; daily rollups are kept.
ANALYTICS_RETENTION_DAYS = int(env("ANALYTICS_RETENTION_DAYS", "180"))
# Rows of the public open-data CSV with fewer visitors than this are left out, so nobody can be singled out.
ANALYTICS_OPEN_DATA_MIN_VISITORS = int(env("ANALYTICS_OPEN_DATA_MIN_VISITORS", "5"))

# --- Route recommender (routes/recommender)
RECOMMENDER_TRAINING_DAYS = int(env("RECOMMENDER_TRAINING_DAYS", "90"))
RECOMMENDER_HOLD_OUT_DAYS = int(env("RECOMMENDER_HOLD_OUT_DAYS", "7"))
RECOMMENDER_EPOCHS = int(env("RECOMMENDER_EPOCHS", "30"))
RECOMMENDER_COMPONENTS = int(env("RECOMMENDER_COMPONENTS", "32"))
RECOMMENDER_THREADS = int(env("RECOMMENDER_THREADS", "2"))
# A new model goes live only if its precision@5 on the hold-out is at least the live model's minus this.
RECOMMENDER_DEPLOY_TOLERANCE = float(env("RECOMMENDER_DEPLOY_TOLERANCE", "0.01"))
# Learn from synthetic visitors too (the demo has no others); production learns from real visitors only.
RECOMMENDER_USE_SYNTHETIC = env("RECOMMENDER_USE_SYNTHETIC", "1") == "1"
# Classes that report today's weather or crowding; each returns adjustments (routes/recommender/conditions.py).
RECOMMENDER_CONDITION_PROVIDERS = env_list(
    "RECOMMENDER_CONDITION_PROVIDERS", "routes.recommender.conditions.ManualConditions"
)

# --- Wagtail
WAGTAIL_SITE_NAME = "VisitAizu"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILIMAGES_IMAGE_MODEL = "images.AizuImage"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ja", "日本語"), ("en", "English")]
WAGTAILMODELTRANSLATION_TRANSLATE_SLUGS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}, "null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Request logs would carry client addresses; the privacy rules forbid storing or logging them.
    "loggers": {
        "django.server": {"handlers": ["null"], "propagate": False},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # a line per PDF layout step otherwise
        "fontTools": {"level": "WARNING"},
    },
}


def require(name: str, value: object) -> None:
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")


DIRECTIONS_URL = env("DIRECTIONS_URL", "https://www.google.com/maps/dir/?")
