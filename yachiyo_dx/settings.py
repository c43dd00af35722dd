"""Settings for the DX portal, read from the environment (django-environ).

Every variable is listed in `.env.example`. Production must set SECRET_KEY and ALLOWED_HOSTS;
the process refuses to start without a secret when DEBUG is off.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for developers; the real environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "django-insecure-development-only-key"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with the portal's sign-in rules (yachiyo_dx.admin_site).
    "yachiyo_dx.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "simple_history",
    "csp",
    "axes",
    # Two-factor sign-in: TOTP authenticator apps and single-use recovery codes
    # (accounts.two_factor). Before accounts, whose admin hides their key-revealing screens.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "policies",
    "accounts",
    "initiatives",
    "reviews",
    "plans",
    "public",
    "dashboard",
    # The project package itself: portal-wide commands (export_portal, import_portal).
    "yachiyo_dx",
]

MIDDLEWARE = [
    "yachiyo_dx.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before CommonMiddleware's host check: probes come by the app server's own address.
    "yachiyo_dx.health.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then the portal's rule of who needs the second factor.
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The shared cache's generation and the city's names are read once per request.
    "core.cache.RequestMemoMiddleware",
    "yachiyo_dx.sessions.AbsoluteSessionTimeoutMiddleware",
    "yachiyo_dx.sessions.PrivatePagesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "yachiyo_dx.input_rules.VisibleInputMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses a locked-out username/address before checking passwords.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Beyond the pair: many names from one address, one name from many (yachiyo_dx.login_throttle).
AXES_HANDLER = "yachiyo_dx.login_throttle.ThrottlingHandler"
# Attempts refused during a lockout neither count nor prolong it: one person retrying cannot
# keep an address (a city hall's) or a colleague's name locked.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=10)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Failed logins are kept for the audit export (export_audit), the latest 1,000 per user.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The number of trusted proxies in front of the app (nginx: 1); decides which X-Forwarded-For
# entry is the client's, for the login throttle and the logs.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "yachiyo_dx.observability.client_ip"
AXES_USERNAME_CALLABLE = "yachiyo_dx.observability.login_username"

ROOT_URLCONF = "yachiyo_dx.urls"
# Form widgets may be overridden in templates/django/forms/ (grouped choices as fieldsets).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "yachiyo_dx.wsgi.application"

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
                "policies.context_processors.portal",
                "core.context_processors.notifications",
            ],
            "builtins": [
                "core.templatetags.portal_tags",
                "django.contrib.humanize.templatetags.humanize",
            ],
        },
    },
]

# SQLite is the embedded default: one file in the project, WAL so readers do not block the
# writer, and IMMEDIATE transactions so a write transaction takes its lock up front instead of
# failing half-way with "database is locked".
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
        }
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Production keeps each worker's connection for a minute instead of opening one per request
# (a TCP and authentication round trip each time); development opens one per request, so that a
# dropped test database or a restarted server is never held on to.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DEBUG else 60))
# A connection kept across requests is checked before use (e.g. after PostgreSQL restarted).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Values many requests share (core.cache): this process's memory by default; in production
# with several app servers, Redis (CACHE_URL=redis://10.0.0.30:6379/0), which all of them share.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# Two-factor sign-in (accounts.two_factor, docs/two-factor.md): 管理者 and the secretariat must
# add a code from an authenticator app or a recovery code to their password; others may.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)


def OTP_TOTP_ISSUER(device):
    """The name an authenticator app shows beside the code: the portal's, from the city's data."""
    from accounts.two_factor import issuer

    return issuer(device)


# After each wrong code the next try waits twice as long (1 s, 2 s, 4 s ...), per device.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    # Attachments: a local or shared (NFS) path by default; MEDIA_STORAGE=s3 puts them in an
    # S3-compatible store (pip install ".[s3]"), so that app servers keep nothing on disk.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env.str("MEDIA_STORAGE", default="filesystem") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY"),
            "secret_key": env.str("S3_SECRET_KEY"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# PDCA reports per fiscal year ("year") or per half-year ("half").
REPORT_PERIODS = env.str("REPORT_PERIODS", default="year")
if REPORT_PERIODS not in ("year", "half"):
    raise ImproperlyConfigured("REPORT_PERIODS must be 'year' or 'half'.")
# A department-led item's first progress note is due this many days after it was classified;
# each note then names the next one's date, at most NOTE_MAX_INTERVAL_DAYS ahead (half a year:
# never slower than the half-yearly PDCA rhythm).
NOTE_FIRST_DUE_DAYS = env.int("NOTE_FIRST_DUE_DAYS", default=60)
NOTE_MAX_INTERVAL_DAYS = env.int("NOTE_MAX_INTERVAL_DAYS", default=183)

# Upper bound of one attachment, in bytes (default 20 MB).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Requests above this size are refused before a view runs; leave room for the form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The portal's address as users reach it, for links in notification mails.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")
# A mail server that does not answer must not hold a request for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dx-portal@localhost")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))

SESSION_COOKIE_HTTPONLY = True
# Idle timeout: the cookie's age, renewed by a request once SESSION_RENEW_SECONDS have passed
# since the last renewal (yachiyo_dx.sessions), not written on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env.int("SESSION_RENEW_SECONDS", default=60)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health checks come from the proxy over plain HTTP on the loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
# On by default so that `check --deploy` is clean; a city whose domain has subdomains still on
# plain HTTP sets both to 0 (the preload directive alone submits nothing anywhere).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline scripts anywhere, the admin included; styles come from files too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "yachiyo_dx.observability.SingleLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The request log replaces Django's own access lines.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
