"""cbrnet settings: one module, fed only by CBRNET_* environment variables (docs/configuration.md).

Development defaults are safe to run on a laptop; production differs by environment, not by code.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from cbrnet.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "insecure-development-key-only-for-debug-mode"  # noqa: S105 - refused below unless DEBUG
SECRET_KEY = env_secret("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("Set CBRNET_SECRET_KEY (or CBRNET_SECRET_KEY_FILE); CBRNET_DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "cbrnet")
PUBLIC_PORTAL = env_bool("PUBLIC_PORTAL", False)  # anonymous visitors may read TLP:CLEAR items (R3)
# Sharing (docs/access-control.md, R11 and R15); per-role TLP and grant limits: cbrnet/sharing/conf.py.
SHARING_FOUR_EYES = env_bool("SHARING_FOUR_EYES", False)
SHARING_BREAK_GLASS_MINUTES = env_int("SHARING_BREAK_GLASS_MINUTES", 60, minimum=1)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "cbrnet.core",
    "cbrnet.accounts",
    "cbrnet.registry",
    "cbrnet.sharing",
    "cbrnet.exchange",
    "cbrnet.surveillance",
    "cbrnet.projects",
    "cbrnet.meetings",
    "cbrnet.incidents",
    "cbrnet.notifications",
    "cbrnet.assessments",
    "cbrnet.actionplans",
    "cbrnet.factsheets",
    "cbrnet.jobs",  # progress, reports and files of background imports and exports
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cbrnet.accounts.middleware.TwoFactorEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cbrnet.core.middleware.AuditContextMiddleware",
    "cbrnet.accounts.middleware.UserLanguageMiddleware",  # last: saves the choice inside the audit context
]

ROOT_URLCONF = "cbrnet.urls"
WSGI_APPLICATION = "cbrnet.wsgi.application"
ASGI_APPLICATION = "cbrnet.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cbrnet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cbrnet.core.context_processors.site",
            ],
        },
    }
]

# --- Database: SQLite by default, PostgreSQL in production --------------------------------------
DATABASE_URL = env_secret("DATABASE_URL", f"sqlite:///{DATA_DIR / 'cbrnet.sqlite3'}")  # holds a password
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the task worker write while the web server reads; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_SQLITE_NAME", "")} if env_str(
        "TEST_SQLITE_NAME", ""
    ) else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
REQUIRE_2FA = env_bool("REQUIRE_2FA", not DEBUG)  # administrators and NFPs must use TOTP
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90, minimum=1)
OTP_TOTP_ISSUER = SITE_NAME

# --- Security headers -----------------------------------------------------------------------------
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)  # gunicorn listens on localhost behind nginx (deploy/)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
if BEHIND_PROXY:
    # The client's address is nginx's X-Real-IP, or the sign-in throttle counts everyone as one.
    MIDDLEWARE.insert(0, "cbrnet.accounts.middleware.ProxyClientAddressMiddleware")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, minimum=1) * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# The sign-in throttle counts failures per address in the cache, which must be shared by every
# web worker: a per-process memory cache would multiply the limit by the number of workers.
CACHE = env_choice("CACHE", "memory" if DEBUG else "file", ("memory", "file", "redis"))
if CACHE == "memory":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE == "file":
    # Pages are cached per user and record (the country page): Django's default of 300 entries
    # would evict them as fast as they are written. Each write lists the directory, so not unbounded.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 3000}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": env_secret("REDIS_URL", "redis://127.0.0.1:6379/0")}}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ru", _("Russian")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "cbrnet" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
# The project package is not an app, so its CSS, JS and vendored htmx are found only through this.
STATICFILES_DIRS = [BASE_DIR / "cbrnet" / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Background tasks: Django's Tasks API (docs/tasks-and-imports.md) -------------------------------
TASKS_BACKEND = env_choice("TASKS", "database", ("database", "rq", "immediate"))
REDIS_URL = env_secret("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # worker: `cbrnet db_worker`
elif TASKS_BACKEND == "rq":
    # RQ is the queue; cbrnet.core.rq_backend adapts it to django.tasks (django_tasks_rq is written
    # for the django_tasks backport and builds its Task class, not django.tasks.Task). Worker:
    # `cbrnet rqworker`. Imports can take minutes, hence the long job timeout (seconds).
    _RQ_OPTIONS = {"URL": REDIS_URL, "JOB_TIMEOUT": env_int("RQ_JOB_TIMEOUT", 3600, minimum=1)}
    TASKS = {"default": {"BACKEND": "cbrnet.core.rq_backend.RQBackend", "QUEUES": ["default"], "OPTIONS": _RQ_OPTIONS}}
else:
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Uploads up to this size are checked and imported within the request; bigger ones by a task.
IMPORT_INLINE_MAX_BYTES = env_int("IMPORT_INLINE_MAX_BYTES", 64 * 1024, minimum=0)
# Lists longer than this are exported by a task into a file downloaded from the job page.
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 5000, minimum=1)

# --- E-mail ------------------------------------------------------------------------------------------
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25, minimum=1),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_secret("EMAIL_HOST_PASSWORD", "") or "",
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cbrnet <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails and CAP alerts, which are written where no request names the host.
SITE_URL = env_str(
    "SITE_URL",
    "http://127.0.0.1:8000" if DEBUG else "https://" + next((h for h in ALLOWED_HOSTS if h[:1] not in ".*"), "localhost"),
).rstrip("/")

# --- API -------------------------------------------------------------------------------------------
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500, minimum=1)
UI_PAGE_SIZE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
