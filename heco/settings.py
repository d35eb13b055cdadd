"""HE.CO Hub settings: everything configurable comes from HECO_* environment variables."""

import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(f"HECO_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(f"HECO_{name}")
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(f"HECO_{name}")
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
INSECURE_KEY = "heco-insecure-development-key-change-me"
SECRET_KEY = env_str("SECRET_KEY", INSECURE_KEY)
PRODUCTION = env_bool("PRODUCTION", False)
if PRODUCTION and (SECRET_KEY == INSECURE_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("HECO_SECRET_KEY must be set to a long random value in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "heco.core",
    "heco.network",
    "heco.heritage",
    "heco.programme",
    "heco.search",
    "heco.site",
    "heco.api",
    "heco.demo",
    "heco.aggregation",
    "heco.harvest",
    "heco.printing",
    "heco.systems",
    "heco.comms",
    "heco.publish",
    "heco.newsletters",
    "heco.feeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # anonymous public pages from the cache; early, so a hit skips sessions, CSRF and auth
    "heco.core.middleware.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "heco.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "heco.urls"
WSGI_APPLICATION = "heco.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],  # admin/base_site.html: core/admin.css everywhere
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "heco.site.context_processors.site",
            ],
        },
    },
]

# --- database: SQLite (WAL) by default, PostgreSQL through HECO_DATABASE_URL ---
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if env_str("TEST_DATABASE_NAME"):  # lets parallel test runs share one server
        DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "heco.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
                    "PRAGMA mmap_size=268435456; PRAGMA cache_size=-64000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "heco",
    }
}
# whole public pages for anonymous visitors (heco.core.cache); 0 turns the page cache off.
# Catalogue writes invalidate at once; the time-to-live bounds what changes with the clock
# alone (open-now states, upcoming events).
HECO_PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)
if env_str("CACHE_URL").startswith(("redis://", "rediss://")):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL"),
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]

# --- languages: the six network languages; Django ships no Maltese, so we register it ---
LANG_INFO.setdefault("mt", {"bidi": False, "code": "mt", "name": "Maltese", "name_local": "Malti"})
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("lt", _("Lithuanian")),
    ("it", _("Italian")),
    ("sl", _("Slovenian")),
    ("mt", _("Maltese")),
    ("nl", _("Dutch")),
]
LANGUAGE_CODES = [code for code, _name in LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Vilnius")

STATIC_URL = "/static/"
# Leaflet's files come from the django-leaflet package (we use only its bundled static files,
# not its GeoDjango widgets, so GDAL is not needed); htmx comes from django-htmx.
import leaflet as _leaflet_pkg  # noqa: E402

STATICFILES_DIRS = [("vendor", Path(_leaflet_pkg.__file__).parent / "static")]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even before collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
HECO_MAX_IMAGE_BYTES = env_int("MAX_IMAGE_MB", 15) * 1024 * 1024
HECO_MAX_DOCUMENT_BYTES = env_int("MAX_DOCUMENT_MB", 50) * 1024 * 1024
# harvest: the largest image a harvested record may name (heco.harvest.images); by default the
# upload limit, which what is stored must pass anyway
HECO_HARVEST_IMAGE_MAX_BYTES = (
    env_int("HARVEST_IMAGE_MAX_MB", env_int("MAX_IMAGE_MB", 15)) * 1024 * 1024
)
# the largest response a harvest reads (a page of records, a feed, a file at a URL)
HECO_HARVEST_MAX_BYTES = env_int("HARVEST_MAX_MB", 200) * 1024 * 1024
# harvested image URLs on loopback/private/link-local hosts are refused unless this is set
HECO_HARVEST_PRIVATE_HOSTS = env_bool("HARVEST_PRIVATE_HOSTS", False)

# --- security ---
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)

EMAIL_URL = env_str("EMAIL_URL", "console://")
if EMAIL_URL.startswith("smtp://"):
    from urllib.parse import urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = _mail.username or ""
    EMAIL_HOST_PASSWORD = _mail.password or ""
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("FROM_EMAIL", "HE.CO Hub <noreply@localhost>")
# seconds for each SMTP connect/read: a stalled mail server must not hold a sign-up request or
# the newsletter worker for ever (Django's default is no timeout)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (48.0, 14.0),
    "DEFAULT_ZOOM": 4,
    "TILES": env_str("MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    "ATTRIBUTION_PREFIX": "HE.CO Hub",
}
HECO_MAP_TILES = env_str("MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# search backend follows the database: "sqlite" (FTS5) or "postgres" (tsvector)
HECO_SEARCH_BACKEND = env_str(
    "SEARCH_BACKEND",
    "postgres" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite",
)
HECO_DEFAULT_NETWORK = env_str("DEFAULT_NETWORK", "")

# Background work (harvests, scheduled posts, newsletters, PDFs): django-tasks with its
# database backend; run workers with `heco worker` (several on PostgreSQL scale out).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
