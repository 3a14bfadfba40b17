"""Candidacy settings, read from the environment.

Everything that differs between a laptop and production comes from an environment
variable (see README.md). With nothing set, the app runs on embedded defaults:
SQLite in the project folder and Celery tasks run in-process.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A development key only exists when DEBUG is on; production must bring its own.
_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "common",
    "patients",
    "rules",
    "candidacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "common.sessions.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "candidacy.reviews.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections with a health check: after a database restart the first
# request reconnects instead of failing on a dead connection.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: a page query with a filter over a LIMIT is estimated far above jit_above_cost
    # and PostgreSQL spent 40 ms compiling a query that runs in 5 (docs/performance.md).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # What those let through: "aaaaaaaaaaaa", and the user's own names with digits around.
    {"NAME": "common.passwords.RepeatedCharactersValidator"},
    {"NAME": "common.passwords.UserNamesValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: end after SESSION_IDLE_TIMEOUT of inactivity and SESSION_ABSOLUTE_TIMEOUT in any case.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Failed logins: lock the account and, separately, the address; log every attempt. The two
# counts are kept apart (common/lockout.py): a sign-in clears its own account's failures only,
# never its address's, so succeeding at one account cannot reset the guesses at another.
AXES_HANDLER = "common.lockout.AccountLockoutHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Production security. Each can be switched off for a local HTTP deployment only.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# X-Forwarded-Proto says the request came over https; anyone can send it, so it is trusted only
# when a proxy in front sets it (and overwrites the client's): DJANGO_BEHIND_PROXY=1.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="candidacy@localhost")
# Where links in emails point (emails carry links and MRNs, never clinical detail).
CANDIDACY_BASE_URL = env.str("CANDIDACY_BASE_URL", default="http://127.0.0.1:8000")

# Celery. Without a broker, tasks run in-process (eagerly) so the app works on a laptop.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
# Retries that outlast an outage (common/retry.py): waits doubling from the first to the
# longest, until they add up to the window (at least 10 minutes: a database restart).
TASK_RETRY_WINDOW_SECONDS = env.int("TASK_RETRY_WINDOW_SECONDS", default=15 * 60)
TASK_RETRY_FIRST_SECONDS = env.float("TASK_RETRY_FIRST_SECONDS", default=2.0)
TASK_RETRY_MAX_SECONDS = env.float("TASK_RETRY_MAX_SECONDS", default=60.0)
# A re-screen job is cut into chunks of RESCREEN_CHUNK_PATIENTS; a chunk beats every RESCREEN_BEAT_PATIENTS patients; one silent for
# RESCREEN_CHUNK_DEAD_SECONDS lost its worker, a job silent for RESCREEN_STALL_SECONDS is
# stalled. The reconciler runs every RECONCILE_SECONDS: a dead worker's patients are queued
# again within DEAD + RECONCILE seconds (4 minutes).
RESCREEN_CHUNK_PATIENTS = env.int("RESCREEN_CHUNK_PATIENTS", default=500)
RESCREEN_BEAT_PATIENTS = env.int("RESCREEN_BEAT_PATIENTS", default=100)
RESCREEN_CHUNK_DEAD_SECONDS = env.int("RESCREEN_CHUNK_DEAD_SECONDS", default=120)
RESCREEN_STALL_SECONDS = env.int("RESCREEN_STALL_SECONDS", default=180)
RECONCILE_SECONDS = env.int("RECONCILE_SECONDS", default=120)
# Redis hands an unacknowledged message out again after the visibility timeout. Above the
# longest task plus the longest retry countdown (a retried task waits unacknowledged in its
# worker until its countdown ends), a slow task is never run twice at once; a dead worker's
# chunk does not wait for it, the reconciler queues it again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + int(TASK_RETRY_MAX_SECONDS * 1.25) + 300
}
# A web request that queues a task must not wait on a broker that is down or hung: short
# connect and socket timeouts, one quick publish retry (the reconciler catches the rest).
BROKER_TIMEOUT_SECONDS = env.float("BROKER_TIMEOUT_SECONDS", default=1.0)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT_SECONDS
# The socket timeout stays above the worker's one-second BRPOP poll.
CELERY_BROKER_TRANSPORT_OPTIONS.update(
    socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS + 4
)
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_TIMEOUT_SECONDS + 4
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Ages change and data goes stale overnight; deferred reviews come due.
    "nightly-rescreen": {
        "task": "candidacy.screening.tasks.nightly_rescreen",
        "schedule": crontab(hour=2, minute=0),
    },
    # Picks up what a killed worker dropped, well before the broker's visibility timeout.
    "reconcile": {"task": "candidacy.screening.tasks.reconcile", "schedule": RECONCILE_SECONDS},
}

LOGGING: dict[str, Any] = {  # logging.config.dictConfig
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Audit, tamper evidence and robust input (issue 12, parts 2, 4 and 5) -------------------
# The access log and the hash chain (patients/audit), and the NUL guard (common/guards.py).
INSTALLED_APPS += ["patients.audit"]
# The NUL guard first, before sessions or CSRF read the request; the access log just inside
# authentication, so it sees the user and the final response of every view and middleware.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "common.guards.RejectNulMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "patients.audit.middleware.AccessLogMiddleware",
)
# Two database roles on PostgreSQL. The app connects as its own role (DATABASE_URL), which has no
# UPDATE or DELETE on the audit tables. Migrations run with DATABASE_URL set to the owner of the
# tables and DATABASE_APP_ROLE naming the app's role: after migrating, the owner grants it its
# rights (patients/audit/roles.py). Unset, there is one role, as on a laptop.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
# How often beat links new audit and history rows into their hash chains.
AUDIT_SEAL_SECONDS = env.int("AUDIT_SEAL_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["seal-audit-chains"] = {
    "task": "patients.audit.tasks.seal_audit_chains",
    "schedule": AUDIT_SEAL_SECONDS,
}
# --- end of issue 12, parts 2, 4 and 5 ------------------------------------------------------

# --- Two-step sign-in, MFA (issue 12, part 3; config/mfa) -----------------------------------
# django-otp keeps the devices: TOTP apps, and recovery codes as its "static" device.
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "config.mfa",
]
# After authentication and the access log: OTPMiddleware says whether the session passed the
# second step, then ours keeps a user who must pass it away from every other page (admin too).
MIDDLEWARE.insert(
    MIDDLEWARE.index("patients.audit.middleware.AccessLogMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "config.mfa.middleware.RequireMfaMiddleware",
)
# Staff, superusers and criteria admins must use MFA; on, so must everyone.
CANDIDACY_MFA_FOR_ALL = env.bool("CANDIDACY_MFA_FOR_ALL", default=False)
OTP_TOTP_ISSUER = "Candidacy"
# The admin never shows a device's secret; resetting (config/mfa/admin.py) is the way to help.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# --- end of issue 12, part 3 ----------------------------------------------------------------

# --- Response headers (issue 12, part 7) ----------------------------------------------------
# A Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only,
# no inline script or style (templates carry none; static/js/styles.js sets the computed widths),
# no plugins, no framing, forms post here only. Bootstrap's CSS draws its icons as data: SVGs.
INSTALLED_APPS += ["csp"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# After whitenoise, so static files keep their long caching; every page and export gets
# `Cache-Control: no-store` (patient data must not stay in a shared or browser cache) and a
# Permissions-Policy turning off the browser features the app never uses.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "common.headers.SecurityHeadersMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("common.headers.SecurityHeadersMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
# --- end of issue 12, part 7 ----------------------------------------------------------------
