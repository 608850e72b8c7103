"""OpenIOP settings: one file, every deployment choice read from the environment.

OPENIOP_ENV selects `development` (the default, used by `make run` and the tests) or
`production`, which turns on HTTPS-only cookies, HSTS and requires an explicit secret key.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from openiop.lib.env import (
    dev_secret_key,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OPENIOP_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_choice("OPENIOP_ENV", "development", {"development", "production"})
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("OPENIOP_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env_str("OPENIOP_SECRET_KEY")
else:
    SECRET_KEY = env_str("OPENIOP_SECRET_KEY", "") or dev_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list(
    "OPENIOP_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("OPENIOP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "openiop.apps.OpenIOPAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    "openiop.audit",
    "openiop.accounts",
    "openiop.programs",
    "openiop.notify",
    "openiop.resources",
    "openiop.scheduling",
    "openiop.safety",
    "openiop.measures",
    "openiop.telehealth",
    "openiop.care",
    "openiop.notes",
    "openiop.family",
    "openiop.demo",
]

MIDDLEWARE = [
    # First, so audit events written by any later middleware carry the IP and user agent.
    "openiop.audit.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "openiop.accounts.middleware.SessionTimeoutMiddleware",
    "openiop.accounts.middleware.RequireStaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openiop.urls"
WSGI_APPLICATION = "openiop.wsgi.application"
ASGI_APPLICATION = "openiop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "openiop" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "openiop.accounts.context_processors.idle_timeout",
                "openiop.lib.slots.nav",
            ],
        },
    },
]

# Database: a SQLite file under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'openiop.sqlite3'}"),
        conn_max_age=env_int("OPENIOP_DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so the audit chain's "read the last hash,
    # append the next" never interleaves between two writers.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: the video room's chat lives here (never in the database). One process (`make run`)
# can keep it in memory; several web processes must share one: OPENIOP_CACHE_URL=redis://...
CACHE_URL = env_str("OPENIOP_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "openiop",
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured("OPENIOP_CACHE_URL must be a redis:// URL (or unset).")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "openiop.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "openiop.accounts.passwords.BreachedPatternValidator"},
]

# Lockout: 5 failures for one account within 15 minutes lock it for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
# The lock lasts 15 minutes from the fifth failure; knocking on a locked door does not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "openiop.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# Sessions: server-side rows, so logout really ends them; idle limits per role in middleware.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
OPENIOP_IDLE_TIMEOUT_STAFF = timedelta(minutes=15)
OPENIOP_IDLE_TIMEOUT_CLIENT = timedelta(minutes=30)
OPENIOP_ABSOLUTE_SESSION = timedelta(hours=12)
OPENIOP_API_TOKEN_LIFETIME = timedelta(hours=8)
OPENIOP_BREAK_GLASS_LIFETIME = timedelta(hours=1)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("OPENIOP_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("OPENIOP_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content-Security-Policy: everything from our own origin, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Background jobs: Django's tasks API on the database queue (rows commit with their cause).
TASKS = {
    "default": {
        "BACKEND": env_str("OPENIOP_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Mail goes over SMTP; `make run` starts a local sink on 127.0.0.1:1025 (mail lands in var/mail).
MAILERS = {
    "default": {
        "BACKEND": env_str("OPENIOP_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env_str("OPENIOP_EMAIL_HOST", "127.0.0.1"),
            "port": env_int("OPENIOP_EMAIL_PORT", 1025, minimum=1),
            "use_tls": env_bool("OPENIOP_EMAIL_USE_TLS", default=False),
            "timeout": 10,
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("OPENIOP_FROM_EMAIL", "OpenIOP <no-reply@openiop.invalid>")
# Links in email point here; no request is at hand when a worker sends them.
OPENIOP_BASE_URL = env_str(
    "OPENIOP_BASE_URL",
    f"https://{ALLOWED_HOSTS[0]}"
    if PRODUCTION and ALLOWED_HOSTS
    else f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}",
).rstrip("/")
# Text messages: a provider speaking Twilio's REST API (notify/channels/sms.py); off when unset.
SMS_API_BASE = env_str("SMS_API_BASE", "https://api.twilio.com")
SMS_ACCOUNT_SID = env_str("SMS_ACCOUNT_SID", "")
SMS_AUTH_TOKEN = env_str("SMS_AUTH_TOKEN", "")
SMS_FROM = env_str("SMS_FROM", "")
# Named in email instead of the program, whose name may reveal a condition.
OPENIOP_CLINIC_NAME = env_str("OPENIOP_CLINIC_NAME", "OpenIOP")
# How long the set-your-password link in a client's invitation works.
OPENIOP_INVITE_LIFETIME = timedelta(days=7)

# Client documents (referral letters, scans): outside the web root, served by an audited view.
OPENIOP_DOCUMENT_ROOT = Path(env_str("OPENIOP_DOCUMENT_ROOT", str(VAR_DIR / "documents")))
OPENIOP_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS: list = [BASE_DIR / "openiop" / "static"]
# janus.js and adapter.js from Debian (libjs-janus-gateway, libjs-webrtc-adapter), no CDN:
# {% static "janus-gateway/janus.js" %} and {% static "webrtc-adapter/adapter.js" %}.
for _prefix in ("janus-gateway", "webrtc-adapter"):
    if Path(f"/usr/share/javascript/{_prefix}").is_dir():
        STATICFILES_DIRS.append((_prefix, f"/usr/share/javascript/{_prefix}"))

# Video: Janus servers (comma-separated; "internal|public" when browsers reach a server by
# another URL) and the videoroom admin key; Janus posts its events to Django with basic auth
# (user "janus"). TURN: coturn's use-auth-secret (time-limited credentials). See
# openiop/telehealth/janus.py and turn.py.
JANUS_URLS = env_list("JANUS_URL", [] if PRODUCTION else ["http://127.0.0.1:8088/janus"])
if PRODUCTION:  # both required once a Janus server is configured
    JANUS_ADMIN_KEY = env_str("JANUS_ADMIN_KEY", None if JANUS_URLS else "")
    JANUS_EVENTS_SECRET = env_str("JANUS_EVENTS_SECRET", None if JANUS_URLS else "")
else:
    JANUS_ADMIN_KEY = env_str("JANUS_ADMIN_KEY", "") or dev_secret_key(VAR_DIR / "janus_admin_key")
    JANUS_EVENTS_SECRET = env_str("JANUS_EVENTS_SECRET", "") or dev_secret_key(
        VAR_DIR / "janus_events_secret"
    )
JANUS_EVENTS_URL = env_str(
    "JANUS_EVENTS_URL",
    f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}/telehealth/janus-events/",
)
TURN_URLS = env_list("TURN_URLS", [])
TURN_SECRET = env_str("TURN_SECRET", "")

OTP_TOTP_ISSUER = "OpenIOP"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("OPENIOP_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Lockout is per account, as the policy says; locking by IP as well would lock out a whole
# clinic or campus behind one NAT address after five typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
