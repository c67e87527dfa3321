"""Settings, all from environment variables; the defaults give a working local installation.

DATABASE_URL   PostgreSQL in production (postgres://user@host:5432/name); SQLite in var/ by default
SECRET_KEY     required when DEBUG is off; a development key is derived locally otherwise
DEBUG          "1" for development (default off)
ALLOWED_HOSTS  comma-separated (default 127.0.0.1,localhost)
REDIS_URL      cache backend when set; local memory otherwise
EMAIL_URL      "smtp://user:pass@host:587" for SMTP; console backend by default
DEFUS_MIN_CELL minimum unweighted respondents before a group is shown (default 5)
DEFUS_PUBLIC_URL the address printed in invitation letters and QR codes
DEFUS_CLIENT_IP_HEADER the header with the client address behind a reverse proxy
DEFUS_BACKGROUND_SYNC "1": exports and reports are made within the request (no worker thread)
DEFUS_MAP_TILE_URL  raster tiles under maps, e.g. https://tiles.example/{z}/{x}/{y}.png (default
               none: district boundaries are the base); DEFUS_MAP_TILE_ATTRIBUTION their credit
DEFUS_PHOTO_MAX_BYTES largest photo of a walk accepted (default 15 MB)
DEFUS_DOCUMENT_MAX_BYTES largest document of a workshop or measure accepted (default 20 MB)
DEFUS_EVENTS_RETENTION_DAYS days after an event before registrants' data is deleted (default 90)
DEFUS_PAGE_CACHE_SECONDS keep public pages for visitors without a session this long (default 0:
               off; e.g. 300 in production – edits then show after at most that long)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DEFUS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _local_secret_key() -> str:
    # A per-installation key kept outside the repository, so no secret is ever committed.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = _env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "defus.core",
    "defus.organisations",
    "defus.instrument",
    "defus.fieldwork",
    "defus.respond",
    "defus.analysis",
    "defus.walks",
    "defus.strategy",
    "defus.events",
    "defus.members",
    "defus.exchange",
    "defus.newsletter",
    "defus.projects",
    "defus.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # its sitemap.xml template, for wagtail.contrib.sitemaps
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Information service (defus.info): Wagtail and what it needs
    "defus.info",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.sitemaps",
    "wagtail.locales",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "defus.urls"
WSGI_APPLICATION = "defus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database: SQLite (WAL) by default, PostgreSQL via DATABASE_URL -------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DEFUS_SQLITE_PATH", str(VAR_DIR / "defus.sqlite3")),
            # Keep connections: opening one (with its PRAGMAs) costs about 20 % of a
            # respondent page's server time.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on
                # busy_timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {
                "NAME": os.environ.get("DEFUS_SQLITE_TEST_PATH", str(VAR_DIR / "test.sqlite3"))
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_SIGNUP_OPEN = False  # people are invited by their organisation, not self-registered
ACCOUNT_ADAPTER = "defus.organisations.adapters.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
LOGIN_REDIRECT_URL = "core:dashboard"
LOGIN_URL = "account_login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Languages --------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "defus" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Berlin"
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Mail -------------------------------------------------------------------------------------
if os.environ.get("EMAIL_URL"):
    from urllib.parse import unquote, urlparse

    _mail = urlparse(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 587
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "DEFUS <noreply@localhost>")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and _env_bool("DEFUS_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Logging: no request logging of respondent URLs (access codes travel in them) -----------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR"},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}

# --- DEFUS ------------------------------------------------------------------------------------
DEFUS_MIN_CELL = int(os.environ.get("DEFUS_MIN_CELL", "5"))
DEFUS_INSTRUMENT_DIR = BASE_DIR / "defus" / "instrument" / "definitions"
DEFUS_PUBLIC_URL = os.environ.get("DEFUS_PUBLIC_URL", "http://127.0.0.1:8000")
# Behind a reverse proxy, the request header that carries the client's address (for example
# HTTP_X_REAL_IP), so that throttling wrong access codes counts per client, not per proxy.
DEFUS_CLIENT_IP_HEADER = os.environ.get("DEFUS_CLIENT_IP_HEADER", "")
# Slow work (exports, reports) runs in a worker thread (core/background.py) unless this is set.
DEFUS_BACKGROUND_SYNC = _env_bool("DEFUS_BACKGROUND_SYNC")
# Maps (walks, unsafe places): without a tile server the district boundaries are the base.
DEFUS_MAP_TILE_URL = os.environ.get("DEFUS_MAP_TILE_URL") or None
DEFUS_MAP_TILE_ATTRIBUTION = os.environ.get("DEFUS_MAP_TILE_ATTRIBUTION", "")
DEFUS_PHOTO_MAX_BYTES = int(os.environ.get("DEFUS_PHOTO_MAX_BYTES", 15 * 1024 * 1024))
DEFUS_DOCUMENT_MAX_BYTES = int(os.environ.get("DEFUS_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))
# Events: personal data of registrants is deleted this many days after an event (default).
DEFUS_EVENTS_RETENTION_DAYS = int(os.environ.get("DEFUS_EVENTS_RETENTION_DAYS", "90"))
# Whole public pages from the cache for visitors without a session (core/pagecache.py).
DEFUS_PAGE_CACHE_SECONDS = int(os.environ.get("DEFUS_PAGE_CACHE_SECONDS", "0"))
if DEFUS_PAGE_CACHE_SECONDS > 0:
    MIDDLEWARE.append("defus.core.pagecache.PublicPageCacheMiddleware")

# --- Information service (Wagtail, defus/info) ------------------------------------------------
WAGTAIL_SITE_NAME = "DEFUS"
WAGTAILADMIN_BASE_URL = DEFUS_PUBLIC_URL
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Documents always go through Django's serve view, so member-only files are checked
# (defus/info/wagtail_hooks.py) and never reachable as plain media files.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = False
