"""Baton settings, read from the environment through strict helpers.

Every variable is documented in README.md ("Configuration"). A bad value stops start-up with a
message naming the variable, rather than running with a surprise default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
DEMO_MODE = env_bool("BATON_DEMO", DEBUG)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    # A development key that changes per process is fine for DEBUG; sessions end on restart.
    SECRET_KEY = "dev-" + secrets.token_urlsafe(40)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATA_DIR = Path(env_str("BATON_DATA_DIR", str(PROJECT_DIR / "var")))
_default_db = f"sqlite:///{DATA_DIR / 'baton.sqlite3'}"


def _database(variable: str, default_url: str) -> dict[str, Any]:
    """One DATABASES entry from a database URL in ``variable``, with the tuning of its engine."""
    try:
        db: dict[str, Any] = dict(dj_database_url.parse(env_str(variable, default_url)))
    except (ValueError, KeyError) as exc:  # unknown scheme or malformed URL
        raise ImproperlyConfigured(f"{variable} is not a valid database URL: {exc}") from None
    if db["ENGINE"] == "django.db.backends.sqlite3":
        if db["NAME"] != ":memory:":
            Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0, minimum=0)
        db["CONN_HEALTH_CHECKS"] = True
        db["OPTIONS"] = {
            # WAL lets readers work while one writer commits; IMMEDIATE avoids upgrade deadlocks;
            # synchronous=NORMAL is durable under WAL except on power loss of the last commits;
            # mmap and a larger page cache let reads of a big file skip the read() system call.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
                f"PRAGMA mmap_size={env_int('SQLITE_MMAP_MB', 256, minimum=0) * 1024 * 1024}; "
                "PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    elif db["ENGINE"] == "django.db.backends.postgresql":
        if env_bool("DB_POOL", True):
            # A pool per process (psycopg_pool): a request borrows an open connection instead of
            # opening one (a new PostgreSQL backend per request costs several milliseconds).
            db["CONN_MAX_AGE"] = 0  # Django refuses persistent connections together with a pool
            db["OPTIONS"] = {
                "pool": {
                    "min_size": env_int("DB_POOL_MIN_SIZE", 1, minimum=0),
                    "max_size": env_int("DB_POOL_MAX_SIZE", 8, minimum=1),
                    "timeout": env_int("DB_POOL_TIMEOUT", 10, minimum=1),
                }
            }
        else:
            db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
            db["CONN_HEALTH_CHECKS"] = True
    else:
        raise ImproperlyConfigured(f"{variable} must be a sqlite:// or postgres:// URL")
    return db


_db = _database("DATABASE_URL", _default_db)
_db["TEST"] = {"NAME": env_str("BATON_TEST_DATABASE_NAME") or None}
DATABASES = {"default": _db}
# Reports, dashboards and the factory floor read from a replica when one is configured (see
# baton/core/replica.py): a streaming replica of the primary, or any read-only copy of it. Tests
# point the "replica" alias at the test database (MIRROR), so the routing itself is exercised.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL", "")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
elif env_bool("BATON_TEST_REPLICA", False):
    # Only for the replica routing tests (`make test` runs them once with this set): a "replica"
    # alias that mirrors the test database through a connection of its own.
    DATABASES["replica"] = {**_db, "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["baton.core.replica.ReplicaRouter"]
# Seconds a user's reads stay on the primary after they wrote (so they see their own change).
BATON_REPLICA_STICKY_SECONDS = env_int("BATON_REPLICA_STICKY_SECONDS", 10, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    # django-ninja ships the Swagger UI files; as an installed app they are served locally, not from a CDN.
    "ninja",
    # Background work through the Django tasks API (django-tasks backport; database-backed worker).
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "baton.core",
    "baton.accounts",
    "baton.leads",
    "baton.deals",
    "baton.process",
    "baton.activities",
    "baton.delivery",
    "baton.scoring",
    "baton.insights",
    "baton.security",
    "baton.search",
    "baton.privacy",
    "baton.sharing",
    "baton.demo",
    "baton.transfer",
    "baton.success",
    "baton.integrations",
    "baton.automation",
    "baton.partners",
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
    "baton.core.middleware.RequestIdMiddleware",
    "baton.core.middleware.UserLanguageMiddleware",
    "baton.core.partner_fence.PartnerFenceMiddleware",
    "baton.security.middleware.SecurityHeadersMiddleware",
    "baton.security.middleware.SessionGuardMiddleware",
    "baton.security.middleware.StripBidiControlsMiddleware",
    "baton.core.errors.ParameterErrorMiddleware",
    "baton.core.replica.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "baton.urls"
WSGI_APPLICATION = "baton.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "baton.core.context_processors.baton",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("BATON_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (baton/security/throttle.py): this many failures with less than the window between
# them lock the username (a client address gets four times as many) for the lock time, doubling with
# every further failure. BATON_PROXY_COUNT: how many reverse proxies append to X-Forwarded-For.
BATON_LOGIN_MAX_FAILURES = env_int("BATON_LOGIN_MAX_FAILURES", 5, minimum=1)
BATON_LOGIN_WINDOW_MINUTES = env_int("BATON_LOGIN_WINDOW_MINUTES", 15, minimum=1)
BATON_LOGIN_LOCK_SECONDS = env_int("BATON_LOGIN_LOCK_SECONDS", 60, minimum=1)
BATON_PROXY_COUNT = env_int("BATON_PROXY_COUNT", 0, minimum=0)
# Send Content-Security-Policy-Report-Only instead of enforcing the policy (for trying out add-ons).
BATON_CSP_REPORT_ONLY = env_bool("BATON_CSP_REPORT_ONLY", False)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 3600, minimum=300)

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ko")
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured("LANGUAGE_CODE must be 'ko' or 'en'")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

BATON_DEFAULT_CURRENCY = env_str("BATON_DEFAULT_CURRENCY", "KRW")
BATON_PAGE_SIZE = env_int("BATON_PAGE_SIZE", 50, minimum=5)
# Requests to the deal team made later than this many working days before the customer's deadline are
# flagged as late (weekends and Korean public holidays are not working days).
BATON_REQUEST_LEAD_WORKING_DAYS = env_int("BATON_REQUEST_LEAD_WORKING_DAYS", 3, minimum=0)
# Days before a contract's term ends that its renewal opportunity is opened.
BATON_RENEWAL_LEAD_DAYS = env_int("BATON_RENEWAL_LEAD_DAYS", 120, minimum=1)

# Quotes: the VAT rate (부가세, % of the taxable supply; 0-100) and our company as every quote prints it
# (상호, 사업자등록번호, 대표자, 주소, 연락처, optional 직인 image file). The demo fills in a sample company.
BATON_VAT_PERCENT = env_int("BATON_VAT_PERCENT", 10, minimum=0)
if BATON_VAT_PERCENT > 100:
    raise ImproperlyConfigured(f"BATON_VAT_PERCENT must be at most 100, not {BATON_VAT_PERCENT}")
_demo_company = DEMO_MODE
BATON_COMPANY_NAME = env_str("BATON_COMPANY_NAME", "(주)바톤솔루션즈" if _demo_company else "")
BATON_COMPANY_NAME_EN = env_str("BATON_COMPANY_NAME_EN", "Baton Solutions Inc." if _demo_company else "")
BATON_COMPANY_REGISTRATION_NO = env_str(
    "BATON_COMPANY_REGISTRATION_NO", "120-81-00000" if _demo_company else ""
)
BATON_COMPANY_REPRESENTATIVE = env_str("BATON_COMPANY_REPRESENTATIVE", "홍길동" if _demo_company else "")
BATON_COMPANY_ADDRESS = env_str(
    "BATON_COMPANY_ADDRESS", "서울특별시 강남구 테헤란로 123, 10층" if _demo_company else ""
)
BATON_COMPANY_PHONE = env_str("BATON_COMPANY_PHONE", "02-555-0100" if _demo_company else "")
BATON_COMPANY_EMAIL = env_str("BATON_COMPANY_EMAIL", "sales@baton.example" if _demo_company else "")
BATON_COMPANY_SEAL_IMAGE = env_str("BATON_COMPANY_SEAL_IMAGE")
# A TrueType font with Hangul, embedded (subset) in quote PDFs; `make assets` installs Noto Sans KR here.
BATON_PDF_FONT = env_str(
    "BATON_PDF_FONT", str(BASE_DIR / "static" / "vendor" / "pdf" / "NotoSansKR-Regular.ttf")
)
BATON_PDF_FONT_BOLD = env_str(
    "BATON_PDF_FONT_BOLD", str(BASE_DIR / "static" / "vendor" / "pdf" / "NotoSansKR-Bold.ttf")
)

# Files attached to activities (recordings, documents), served only through permission-checked views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"
BATON_MAX_ATTACHMENT_MB = env_int("BATON_MAX_ATTACHMENT_MB", 25, minimum=1)

# Outgoing mail (reminders, mail sent from a record). Without EMAIL_HOST mail is printed to the console.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "baton@localhost")
# Inbound logging: mail BCC'd to log+<secret>@BATON_INBOUND_DOMAIN is received by the activities
# worker on BATON_INBOUND_SMTP_HOST:BATON_INBOUND_SMTP_PORT (0 = receiver off).
BATON_INBOUND_DOMAIN = env_str("BATON_INBOUND_DOMAIN", "log.baton.localhost")
BATON_INBOUND_SMTP_HOST = env_str("BATON_INBOUND_SMTP_HOST", "127.0.0.1")
BATON_INBOUND_SMTP_PORT = env_int("BATON_INBOUND_SMTP_PORT", 0, minimum=0)
BATON_INBOUND_MAX_BYTES = env_int("BATON_INBOUND_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Per hour, per envelope sender and per client address; and the storage the review queue may hold.
BATON_INBOUND_RATE_PER_SENDER = env_int("BATON_INBOUND_RATE_PER_SENDER", 60, minimum=1)
BATON_INBOUND_RATE_PER_CLIENT = env_int("BATON_INBOUND_RATE_PER_CLIENT", 300, minimum=1)
BATON_INBOUND_REVIEW_MAX_MB = env_int("BATON_INBOUND_REVIEW_MAX_MB", 200, minimum=1)

# Background work (reminders, overdue alerts, outbound mail, follower notifications) goes through the
# Django tasks API. BATON_TASKS_BACKEND: "database" (default; run `baton activities_worker`),
# "immediate" (run in the web process, for tests and tiny installs) or a dotted backend class path
# (e.g. a Redis-backed backend when scaled out).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
    # Redis through RQ (django-tasks-rq): `baton rqworker default`, plus `activities_worker --no-tasks`.
    "rq": "django_tasks_rq.RQBackend",
}
BATON_TASKS_BACKEND = env_str("BATON_TASKS_BACKEND", "database").strip() or "database"
if BATON_TASKS_BACKEND not in _TASK_BACKENDS and "." not in BATON_TASKS_BACKEND:
    raise ImproperlyConfigured(
        "BATON_TASKS_BACKEND must be database, immediate, dummy, rq or a dotted backend class path"
    )
if BATON_TASKS_BACKEND == "rq" and not env_str("REDIS_URL"):
    raise ImproperlyConfigured("BATON_TASKS_BACKEND=rq needs REDIS_URL (the Redis the RQ workers read)")
# The RQ queue the "rq" task backend uses (django-rq); unused with the other backends.
RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL") or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS.get(BATON_TASKS_BACKEND, BATON_TASKS_BACKEND),
        "QUEUES": ["default"],
    }
}
# Seconds between reminder sweeps enqueued by the scheduler in `baton activities_worker`.
BATON_REMINDER_INTERVAL = env_int("BATON_REMINDER_INTERVAL", 30, minimum=5)

# Outbound webhooks (baton/integrations): private/loopback targets are refused unless allowed (SSRF);
# a failed delivery is retried after RETRY_SECONDS, doubling each time, then parked after MAX_ATTEMPTS.
BATON_WEBHOOK_ALLOW_PRIVATE = env_bool("BATON_WEBHOOK_ALLOW_PRIVATE", False)
BATON_WEBHOOK_MAX_ATTEMPTS = env_int("BATON_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
BATON_WEBHOOK_RETRY_SECONDS = env_int("BATON_WEBHOOK_RETRY_SECONDS", 60, minimum=1)
BATON_WEBHOOK_TIMEOUT = env_int("BATON_WEBHOOK_TIMEOUT", 10, minimum=1)
# Web-to-lead: submissions accepted per client address per hour (then 429).
BATON_WEBFORM_RATE_PER_HOUR = env_int("BATON_WEBFORM_RATE_PER_HOUR", 20, minimum=1)

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
if DEBUG:
    # WhiteNoise warns on every start when STATIC_ROOT is missing, even though DEBUG serves from the finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL"),
        }
    }
    # Sessions are read from Redis and written through to the database, which keeps the rows the
    # security page lists ("sign out everywhere") and survives a Redis restart.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Encryption at rest of small secrets (TOTP keys): one or more comma-separated passphrases, the first
# encrypts and all decrypt (rotation). Unset: derived from SECRET_KEY (then keep SECRET_KEY stable).
BATON_FIELD_KEY = env_str("BATON_FIELD_KEY")

# Single sign-on with OpenID Connect (baton/security/oidc.py; README "Single sign-on").
BATON_OIDC_ISSUER = env_str("BATON_OIDC_ISSUER").strip().rstrip("/")
BATON_OIDC_DISCOVERY_URL = env_str("BATON_OIDC_DISCOVERY_URL").strip()
BATON_OIDC_CLIENT_ID = env_str("BATON_OIDC_CLIENT_ID").strip()
BATON_OIDC_CLIENT_SECRET = env_str("BATON_OIDC_CLIENT_SECRET")
BATON_OIDC_SCOPES = env_str("BATON_OIDC_SCOPES", "openid email profile").strip()
BATON_OIDC_PROVIDER_NAME = env_str("BATON_OIDC_PROVIDER_NAME", "SSO").strip() or "SSO"
BATON_OIDC_USERNAME_CLAIM = env_str("BATON_OIDC_USERNAME_CLAIM", "preferred_username").strip()
BATON_OIDC_GROUPS_CLAIM = env_str("BATON_OIDC_GROUPS_CLAIM", "groups").strip()
BATON_OIDC_ROLE_MAP = env_str("BATON_OIDC_ROLE_MAP")
BATON_OIDC_TEAM_MAP = env_str("BATON_OIDC_TEAM_MAP")
BATON_OIDC_DEFAULT_ROLE = env_str("BATON_OIDC_DEFAULT_ROLE", "field_sales").strip()
BATON_OIDC_CREATE_USERS = env_bool("BATON_OIDC_CREATE_USERS", True)
BATON_OIDC_ALLOWED_DOMAINS = env_list("BATON_OIDC_ALLOWED_DOMAINS", [])
BATON_OIDC_SSO_ONLY = env_bool("BATON_OIDC_SSO_ONLY", False)
BATON_OIDC_TIMEOUT = env_int("BATON_OIDC_TIMEOUT", 10, minimum=1)
if BATON_OIDC_ISSUER and not BATON_OIDC_CLIENT_ID:
    raise ImproperlyConfigured("BATON_OIDC_CLIENT_ID must be set when BATON_OIDC_ISSUER is")
if BATON_OIDC_ISSUER and "openid" not in BATON_OIDC_SCOPES.split():
    raise ImproperlyConfigured("BATON_OIDC_SCOPES must include openid")
if BATON_OIDC_SSO_ONLY and not BATON_OIDC_ISSUER:
    raise ImproperlyConfigured("BATON_OIDC_SSO_ONLY needs BATON_OIDC_ISSUER (and a client id)")
