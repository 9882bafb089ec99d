"""Settings for KPI Tracker.

One file, read from environment variables with defaults that work on a laptop: SQLite in the
checkout, DEBUG on. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL
(postgres://...), see README.
"""

import datetime
import os
import warnings
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# A refused form (expired page, cookies off) is a Thai page of the site with the menu.
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    # Before import_export, so that `manage.py import` is ours, not the library's.
    "imports",
    "import_export",
    "simple_history",
    "axes",
    "core",
    "accounts",
    "indicators",
    "shelters",
    "volunteers",
    "subsidies",
    "catalog",
    "reporting",
    "reports",
]

MIDDLEWARE = [
    "core.middleware.TrustedProxyMiddleware",
    "core.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.locale.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.headers.SecurityHeadersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.DatabaseBusyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: 5 failures for one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client address is REMOTE_ADDR, which TrustedProxyMiddleware sets from our own proxies'
# X-Forwarded-For; a header a client writes itself must not decide the throttle.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Number of reverse proxies in front of the app (0: none, e.g. runserver or gunicorn alone).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")

ROOT_URLCONF = "kpitracker.urls"
WSGI_APPLICATION = "kpitracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
            ],
            "builtins": ["core.templatetags.thai"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", "60"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No request waits without bound: a statement is cancelled after DB_STATEMENT_TIMEOUT, a
    # lock wait after DB_LOCK_TIMEOUT, an abandoned transaction after DB_IDLE_TIMEOUT (each in
    # PostgreSQL's units, "0" switches it off). manage.py switches the first two off for
    # commands (migrations, rebuilds and imports from the shell may run long); the web process
    # keeps them, and core.middleware answers a cancelled request with a Thai 503 page.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
        f"-c {name}={os.getenv(env, default)}"
        for name, env, default in (
            ("statement_timeout", "DB_STATEMENT_TIMEOUT", "30s"),
            ("lock_timeout", "DB_LOCK_TIMEOUT", "5s"),
            ("idle_in_transaction_session_timeout", "DB_IDLE_TIMEOUT", "60s"),
        )
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL; SQLite ignores their extra columns, which is fine.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "indicators:dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Thai first; English selectable. Source strings are Thai, so an untranslated string stays Thai.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded evidence and spreadsheets: outside the static root, served only through views that
# check the user's rights.
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "media"))
# In development the static files are served from the apps' folders; STATIC_ROOT only exists
# after collectstatic, and WhiteNoise need not warn about it.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024))
# A demo installation (make run) counts the records marked ข้อมูลตัวอย่าง in KPI 3.2; anywhere
# else demo records never count, even if someone ran `manage.py demo` there.
DEMO_INSTALLATION = envbool("DEMO_INSTALLATION", "0")
# The ministry's data centre harvests /catalog/dcat.jsonld with "Authorization: Bearer <token>".
CATALOG_HARVEST_TOKEN = os.getenv("CATALOG_HARVEST_TOKEN", "")

# Audit history is read-only: no "revert" from the admin (a change is made as a new edit).
SIMPLE_HISTORY_REVERT_DISABLED = True

DJANGO_TABLES2_TEMPLATE = "core/table.html"  # bootstrap5 with the paging in Thai

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline
# (no <script> with code, no on*= handler, no javascript: link); data for scripts travels in
# data-* attributes or <script type="application/json"> blocks (json_script), which are not run.
# Styles allow 'unsafe-inline' because templates carry style="…" attributes and the stand-alone
# error pages a <style> block; an injected style cannot run code. Bootstrap's SVG icons are
# data: images. No frames, plugins, <base> or form targets outside the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Production hardening, switched on whenever DEBUG is off (see README, "Production").
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# Server errors reach the admins: by e-mail to ADMINS ("Name <a@b>, c@d") through the SMTP
# server in EMAIL_*, and to Sentry when SENTRY_DSN is set. Neither carries what a user typed
# (core.errors_report: every POST and query value, cookie and local variable is hidden; PDPA).
ADMINS = getaddresses(envlist("ADMINS", ""))
SERVER_EMAIL = os.getenv("SERVER_EMAIL", "kpitracker@localhost")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", SERVER_EMAIL)
EMAIL_SUBJECT_PREFIX = os.getenv("EMAIL_SUBJECT_PREFIX", "[KPI Tracker] ")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.errors_report.RedactingFilter"
DEFAULT_EXCEPTION_REPORTER = "core.errors_report.RedactingReporter"

# One line per event: ISO time stamp in Asia/Bangkok (Django sets the process's TZ from
# TIME_ZONE), level, logger, message. Errors of requests also go to the admins' mail.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's own logger keeps its default handlers off: the root console prints it once.
        "django": {"handlers": [], "level": os.getenv("LOG_LEVEL", "WARNING"), "propagate": True},
        # 4xx as warnings (a run of 403s is someone probing), 5xx as errors, mailed.
        "django.request": {"handlers": ["mail_admins"], "level": "WARNING", "propagate": True},
        "django.security": {"handlers": ["mail_admins"], "level": "ERROR", "propagate": True},
    },
}

SENTRY_DSN = os.getenv("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=os.getenv("SENTRY_ENVIRONMENT", "production"),
        release=os.getenv("SENTRY_RELEASE") or None,
        traces_sample_rate=0.0,
        # Personal data stays here: no user details, cookies, headers or request bodies.
        send_default_pii=False,
        max_request_body_size="never",
    )
