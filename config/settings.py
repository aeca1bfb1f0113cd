"""Staff Voice settings: one file, every deploy-time value from the environment.

With no environment at all this runs the embedded default: SQLite, Channels'
in-memory layer, mail to the console. Set DATABASE_URL and REDIS_URL for the
production path (PostgreSQL, channels_redis, Redis cache).
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE

from config.env import envbool, envint, envlist, envstr, redis_database_after
from config.logging_config import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)
# The embedded default needs no configuration, so it carries a fixed development key;
# production refuses to start without a real one (see the check below).
SECRET_KEY = envstr("SECRET_KEY", "insecure-embedded-default-change-me")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

ORGANISATION_NAME = envstr("ORGANISATION_NAME", "Riverside Community Health NHS Trust")
ORGANISATION_LOGO_URL = envstr("ORGANISATION_LOGO_URL")
ORGANISATION_COLOUR = envstr("ORGANISATION_COLOUR", "#005eb8")
ALLOWED_EMAIL_DOMAINS = [d.lower() for d in envlist("ALLOWED_EMAIL_DOMAINS", "nhs.net")]

INSTALLED_APPS = [
    # The admin with no path to an anonymous author (accounts.safety.admin_site).
    "accounts.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # Multi-factor sign-in (an authenticator app, recovery codes): required for roles
    # that can see more (accounts.safety.mfa).
    "allauth.mfa",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    # Triggers that keep the audit log append-only in PostgreSQL itself.
    "pgtrigger",
    "accounts",
    "voting",
    "notifications",
    "conversations",
    "reports",
    "search",
    "observability",
    "statements",
    "retention",
    # Only for its management commands: readiness, restore_drill (platform/RUNBOOK.md).
    "config",
    "reports.prioritisation",
    # The read API for the trust's reporting (api/: README "Read API").
    "rest_framework",
    "drf_spectacular",
    "api",
]

# Microsoft Entra ID sign-in is switched on by environment variables alone.
MICROSOFT_CLIENT_ID = envstr("MICROSOFT_CLIENT_ID")
if MICROSOFT_CLIENT_ID:
    INSTALLED_APPS.append("allauth.socialaccount.providers.microsoft")
    SOCIALACCOUNT_PROVIDERS = {
        "microsoft": {
            "APPS": [
                {
                    "client_id": MICROSOFT_CLIENT_ID,
                    "secret": envstr("MICROSOFT_CLIENT_SECRET"),
                    "settings": {"tenant": envstr("MICROSOFT_TENANT", "organizations")},
                }
            ],
            "EMAIL_AUTHENTICATION": True,
        }
    }

MIDDLEWARE = [
    # First, so every line logged while a request is served carries its id.
    "observability.request_id.RequestIdMiddleware",
    # /healthz and /readyz, answered before host checks, the HTTPS redirect and
    # sessions: probes name the container's address and speak plain HTTP.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # The person a session names, from the backend it names (accounts.backends).
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out a session left idle (shared ward computers).
    "accounts.safety.sessions.IdleTimeoutMiddleware",
    # Sends moderators, managers, administrators and reveal holders to set up
    # multi-factor sign-in before anything else.
    "accounts.safety.mfa.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so it sees the final response of every view, including refusals.
    "accounts.middleware.SecurityEventsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {{ when|iso_datetime }} for <time datetime>, in every template.
            "builtins": ["config.templatetags.machine_time"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "config.context_processors.organisation",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    # Persistent connections suit WSGI workers (one thread each); under ASGI every thread
    # of the sync pool would keep its own, so the default is to close after each request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=envint("CONN_MAX_AGE", 0),
            # A kept connection is checked before a request reuses it, and with the
            # pool below Django passes ConnectionPool.check_connection as its `check`:
            # connections ended by a PostgreSQL restart are replaced, never handed out.
            conn_health_checks=True,
        )
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = envstr(
        "TEST_DATABASE_NAME", "test_staffvoice"
    )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": envstr("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Keep the connection: opening one (Django's SQL functions, the PRAGMAs) was
            # over half of a websocket connect's cost (bench/LIVE.md); a local file has
            # no server-side connection to tie up, so persistence costs nothing there.
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
            # WAL and a busy timeout let concurrent voters queue instead of failing
            # with "database is locked"; IMMEDIATE takes the write lock up front.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so the tests' real server processes share it.
            "TEST": {
                "NAME": envstr("SQLITE_TEST_PATH", str(BASE_DIR / "test-db.sqlite3"))
            },
        }
    }

REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    # "pubsub" (Redis PUBLISH/SUBSCRIBE) or "core" (sorted sets + BZPOPMIN). pubsub is
    # one round trip per group_send and was 4x faster under votes (bench/LIVE.md).
    REDIS_LAYER = envstr("REDIS_LAYER", "pubsub")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": (
                "channels_redis.pubsub.RedisPubSubChannelLayer"
                if REDIS_LAYER == "pubsub"
                else "channels_redis.core.RedisChannelLayer"
            ),
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": envstr("REDIS_PREFIX", "staffvoice"),
            },
        }
    }
    CACHES = {
        "default": {
            # Django's RedisCache, guarded: while Redis is down every read misses,
            # writes are skipped and rate-limit counters stay in the process
            # (config/cache.py); nothing fails for want of the cache.
            "BACKEND": "config.cache.RedisAccelerator",
            # Its own database: clearing the cache (FLUSHDB) must never wipe the
            # channel layer's groups and queued messages.
            "LOCATION": envstr("REDIS_CACHE_URL") or redis_database_after(REDIS_URL),
            "KEY_PREFIX": envstr("REDIS_PREFIX", "staffvoice"),
            # Passed to redis-py's connection pool. The cache only speeds things up:
            # a Redis that stops answering must fail a read quickly, so the caller
            # can ask the database instead (accounts.backends), not hang the page.
            "OPTIONS": {
                "socket_connect_timeout": envint("REDIS_CACHE_TIMEOUT", 2),
                "socket_timeout": envint("REDIS_CACHE_TIMEOUT", 2),
                # One pool per process, not one per request (config/cache.py).
                "pool_class": "config.cache.SharedConnectionPool",
                # RedisAccelerator's own: ask a silent Redis again every few seconds;
                # these counters (ours, allauth's) are kept in memory meanwhile.
                "RETRY_SECONDS": envint("REDIS_CACHE_RETRY_SECONDS", 5),
                "LOCAL_WHEN_DOWN": ["rate:", "allauth:rl:"],
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Above the default 300: the header is cached per person, and culling a
            # third of the entries at the limit would drop the campaigns' lists too.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Background tasks (django-tasks, the backport of Django 6's django.tasks): emails,
# digests and synthesis run outside the request that asked for them. The queue is a
# table in the main database, worked by `manage.py db_worker` (`make run` starts one;
# platform/ runs them as their own processes). Tests switch to the immediate backend.
TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}

AUTH_USER_MODEL = "accounts.StaffMember"
AUTHENTICATION_BACKENDS = [
    # First: ModelBackend, with the person's row and permission set from the cache
    # when it is shared (Redis). Password sign-in and force_login name it.
    "accounts.backends.StaffBackend",
    # Sessions signed in before StaffBackend existed name ModelBackend: still valid.
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email is the login, verified before first sign-in.
ACCOUNT_ADAPTER = "accounts.adapter.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Counted in the cache, which must be shared between workers in production (REDIS_URL;
# `check --deploy` warns otherwise). "key" is the email being tried.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip,60/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# Behind the reverse proxy the client address is the proxy's; trust exactly as many
# X-Forwarded-For hops as there are proxies we run (platform/: one nginx), no more.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
SOCIALACCOUNT_ADAPTER = "accounts.adapter.StaffSocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# Sign-in with a "This is a shared computer" choice (accounts.safety.sessions); no
# "Remember me": a session lasts until it is idle (below) or signed out.
ACCOUNT_FORMS = {"login": "accounts.forms.StaffLoginForm"}
ACCOUNT_SESSION_REMEMBER = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = ORGANISATION_NAME
MFA_REQUIRED_FOR_PRIVILEGED = envbool("MFA_REQUIRED_FOR_PRIVILEGED", True)
# Idle time-outs in minutes: most staff; those who can see more (moderators, managers,
# administrators, reveal holders); anyone who said the computer is shared.
IDLE_TIMEOUT_MINUTES = envint("IDLE_TIMEOUT_MINUTES", 30)
IDLE_TIMEOUT_PRIVILEGED_MINUTES = envint("IDLE_TIMEOUT_PRIVILEGED_MINUTES", 15)
IDLE_TIMEOUT_SHARED_MINUTES = envint("IDLE_TIMEOUT_SHARED_MINUTES", 10)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Per-person limits on writes (accounts.ratelimit): actions per window of seconds.
POSTING_RATE_LIMIT = envint("POSTING_RATE_LIMIT", 30)  # ideas and comments
POSTING_RATE_WINDOW = envint("POSTING_RATE_WINDOW", 600)
VOTE_RATE_LIMIT = envint("VOTE_RATE_LIMIT", 200)
VOTE_RATE_WINDOW = envint("VOTE_RATE_WINDOW", 300)
FLAG_RATE_LIMIT = envint("FLAG_RATE_LIMIT", 20)
FLAG_RATE_WINDOW = envint("FLAG_RATE_WINDOW", 600)
# Websocket handshakes one socket worker works on at once; pages past it are told to
# come back later (conversations/live/admission.py).
LIVE_HANDSHAKES_IN_PROGRESS = envint("LIVE_HANDSHAKES_IN_PROGRESS", 32)

EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr(
    "DEFAULT_FROM_EMAIL", "Staff Voice <staffvoice@example.nhs.net>"
)

# The interface speaks English and Welsh; each person's choice is kept in a cookie by
# Django's set_language view (config/urls.py) and read by LocaleMiddleware. Language
# names are endonyms, never translated, so people can find their own. Campaign content
# is in whatever language its authors write.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
# locale/ is ours (makemessages writes it); locale_vendor/ is Welsh that allauth's
# screens and emails and Django's password rules ship without. Earlier entries win.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # remembered for a year, not just the session
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = envstr("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# build/static holds the front-end packages copied from node_modules by `make`.
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "config.storage.StaticStorage"
            if not DEBUG and envbool("STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Content Security Policy (django-csp 4). Nothing inline: every script and stylesheet
# is a file from 'self'. NONCE is listed so that, should an inline <script> or <style>
# ever be needed, it runs only with nonce="{{ request.csp_nonce }}" (django-csp
# sends a nonce only on pages that use one).
_FORM_ACTION = ["'self'"]
if MICROSOFT_CLIENT_ID:
    # Sign-in with Microsoft posts a form here that redirects to Microsoft's sign-in.
    _FORM_ACTION.append("https://login.microsoftonline.com")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": _FORM_ACTION,
    }
}

# Headers and cookies for every mode; the HTTPS-only ones follow in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# With a shared cache (Redis), sessions are read from it and written through to the
# database: no session query on a page. Without one, each process would keep its own
# copy, and signing out in one would not reach the others.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_SAMESITE = "Lax"
# Messages ("Signed in as ...") are kept in the session, not in a cookie of their own:
# no cookie but the session's opaque key may say who is signed in.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# The page script reads the token from <meta name="csrf-token">, never the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_PRODUCTION = envbool("SECURE_PRODUCTION", not DEBUG and bool(DATABASE_URL))
if SECURE_PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

# Readiness (/readyz, config/health.py): not ready once a background task has waited
# this long to run (no task worker keeping up), or Redis does not answer in this time.
HEALTH_TASK_QUEUE_MAX_AGE = envint("HEALTH_TASK_QUEUE_MAX_AGE", 900)
HEALTH_REDIS_TIMEOUT = envint("HEALTH_REDIS_TIMEOUT", 2)

SMALL_GROUP_THRESHOLD = envint("SMALL_GROUP_THRESHOLD", 5)

# The read API (api/): service-account bearer tokens only (no session, so no CSRF
# surface), JSON only, read-only, paginated, limited per token, every request audited.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
API_RATE_LIMIT = envstr("API_RATE_LIMIT", "600/hour")
SPECTACULAR_SETTINGS = {
    "TITLE": "Staff Voice read API",
    "DESCRIPTION": "Read-only figures and content for the trust's own reporting. "
    "Send `Authorization: Bearer <token>`; an administrator creates tokens.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_errors",
    ],
}
# Moderation: items waiting longer than this are highlighted in the queue.
MODERATION_TARGET_HOURS = envint("MODERATION_TARGET_HOURS", 24)
# Break-glass identity reveal for anonymous posts: off unless the organisation says so.
REVEAL_ENABLED = envbool("REVEAL_ENABLED", False)
# Two people means two people: each must have held the permission this long.
REVEAL_HOLDING_DAYS = envint("REVEAL_HOLDING_DAYS", 7)
# The data protection contact, emailed of every reveal (blank: nobody).
REVEAL_DATA_PROTECTION_CONTACT = envstr("REVEAL_DATA_PROTECTION_CONTACT")
IDEAS_PER_PAGE = envint("IDEAS_PER_PAGE", 20)
# Shared fragments (conversations/fragments.py) are keyed by the versions of all they
# show, so nothing goes stale; this only bounds how long an unused one stays.
FRAGMENT_CACHE_SECONDS = envint("FRAGMENT_CACHE_SECONDS", 300)
# A signed-in person's row and permission set, cached only in Redis (shared by every
# process) and replaced by the committed row whenever it changes (accounts.backends);
# these bound what no signal reports (a row changed by hand in the database).
PERSON_CACHE_SECONDS = envint("PERSON_CACHE_SECONDS", 60)
PERMISSIONS_CACHE_SECONDS = envint("PERMISSIONS_CACHE_SECONDS", 300)

# One console stream, text or JSON (LOG_FORMAT=json), each line with its request's id;
# security events as structured records; secrets and emails blanked (config/logging_config.py).
LOGGING = logging_config(envstr("LOG_FORMAT", "text"), envstr("LOG_LEVEL", "INFO"))

# A form post refused by CSRF protection (usually: the session ended while typing)
# leads to sign-in and back to the form, where static/js/drafts.js restores the text.
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"

# Retention schedule (retention/, `manage.py apply_retention`, run daily by the
# scheduler): personal data is not kept for ever. Days unless the name says years.
RETENTION_LIVE_EVENTS_DAYS = envint("RETENTION_LIVE_EVENTS_DAYS", 90)
# Sent emails and in-service notifications.
RETENTION_MESSAGES_DAYS = envint("RETENTION_MESSAGES_DAYS", 365)
# Accounts the staff directory deactivated (people who left), then anonymised
# through the account-erasure service.
RETENTION_LEAVERS_DAYS = envint("RETENTION_LEAVERS_DAYS", 730)
# Closed campaigns' ideas, comments and votes are kept, detached from people.
RETENTION_CLOSED_CAMPAIGN_YEARS = envint("RETENTION_CLOSED_CAMPAIGN_YEARS", 6)
RETENTION_BATCH_SIZE = envint("RETENTION_BATCH_SIZE", 2000)

# The statements a public body publishes (statements/): contacts, dates, and the
# organisation's own text in place of the built-in one. A path may hold {language}
# (en-gb, cy) for one file per language.
ACCESSIBILITY_CONTACT = envstr("ACCESSIBILITY_CONTACT")
ACCESSIBILITY_STATEMENT_DATE = envstr("ACCESSIBILITY_STATEMENT_DATE", "3 December 2026")
# When people last tested with screen readers and at 400% zoom; blank: not yet.
ACCESSIBILITY_PEOPLE_TESTED_ON = envstr("ACCESSIBILITY_PEOPLE_TESTED_ON")
PRIVACY_CONTACT = envstr("PRIVACY_CONTACT")
STATEMENT_FILES = {
    "accessibility": envstr("ACCESSIBILITY_STATEMENT_FILE"),
    "privacy": envstr("PRIVACY_NOTICE_FILE"),
    "cookies": envstr("COOKIE_LIST_FILE"),
}

# Notifications (notifications/, conversations/services/announcements.py). `manage.py
# send_notifications` runs every few minutes (platform/RUNBOOK.md); daily digests go
# out on its first run at or after this local hour. A failing mail server is retried
# with back-off (1, 5, 25, 125 minutes...) up to this many attempts in all.
NOTIFICATION_DIGEST_HOUR = envint("NOTIFICATION_DIGEST_HOUR", 7)
NOTIFICATION_EMAIL_ATTEMPTS = envint("NOTIFICATION_EMAIL_ATTEMPTS", 5)

# PostgreSQL connection pool.
# Under ASGI every database_sync_to_async call closes its connection afterwards
# (CONN_MAX_AGE=0, rightly: each thread would keep its own), so each websocket connect,
# each vote and each hub flush opened a new PostgreSQL connection, a server process
# forked each time (bench/LIVE.md). With Django's pool, closing hands the connection
# back. Off where connections persist (CONN_MAX_AGE > 0, the pool refuses that) or
# with DB_POOL=0 (e.g. behind PgBouncer). DB_POOL_MAX: connections per process.
if (
    DATABASE_URL
    and not DATABASES["default"]["CONN_MAX_AGE"]
    and envbool("DB_POOL", True)
):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": envint("DB_POOL_MAX", 8),
        # How long a request waits for a connection (PostgreSQL restarting) before
        # it is answered 503 "Please try again" (config/errors.py).
        "timeout": envint("DB_POOL_TIMEOUT", 10),
    }
