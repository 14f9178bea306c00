"""Settings for Campus Social.

Every value comes from the environment, with the embedded default (SQLite, in-memory channel
layer, database search, console email, files under ``var/``) when a variable is unset.  Setting
``CAMPUS_PRODUCTION=true`` switches to production mode, which refuses to start without its
secrets and turns on HTTPS-only cookies and HSTS.  ``docs/configuration.md`` lists every variable.
"""

import math
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

PRODUCTION = env.bool("CAMPUS_PRODUCTION", default=False)
VAR_DIR = Path(env("CAMPUS_VAR_DIR", default=str(BASE_DIR / "var")))

# Development-only values.  They are public, so production refuses them.
_DEV_SECRET_KEY = "django-insecure-campus-social-development-key-never-used-in-production"  # noqa: S105 public on purpose
_DEV_CARD_HMAC_KEY = "campus-social-development-card-key-never-used-in-production"

SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET_KEY)
# The server secret of the keyed hash under which card identifiers are stored (never in clear).
# Changing it orphans every registered card, so it is rotated only with a re-registration plan.
CARD_HMAC_KEY = env("CARD_HMAC_KEY", default=_DEV_CARD_HMAC_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Portable credentials (consortium/credentials/): the issuer's private signing key, a JWK (JSON)
# or a PEM, EC P-256 (ES256) or Ed25519 (EdDSA).  Unset outside production, a development key is
# generated once into CREDENTIAL_DEV_KEY_PATH.  The public keys of earlier signing keys stay
# published (CREDENTIAL_RETIRED_KEYS: a JWKS or a JSON list of JWKs), so that credentials they
# signed keep verifying.  ``manage.py consortium_signing_key_create`` prints a new key.
CREDENTIAL_SIGNING_KEY = env("CREDENTIAL_SIGNING_KEY", default="")
CREDENTIAL_RETIRED_KEYS = env("CREDENTIAL_RETIRED_KEYS", default="")
CREDENTIAL_DEV_KEY_PATH = VAR_DIR / "credential-signing-key.jwk"
# The public address of the site, naming the issuer in every credential (its profile, keys and
# status list live under /credentials/); by default the first of ALLOWED_HOSTS over HTTPS.
CREDENTIAL_ISSUER_URL = env(
    "CREDENTIAL_ISSUER_URL",
    default=f"https://{ALLOWED_HOSTS[0]}"
    if PRODUCTION and ALLOWED_HOSTS
    else "http://127.0.0.1:8000",
).rstrip("/")
CREDENTIAL_ISSUER_NAME = env("CREDENTIAL_ISSUER_NAME", default="Campus Social")
# Credentials anyone may check, per address (the page and the API together).
CREDENTIAL_VERIFY_RATE = env("CREDENTIAL_VERIFY_RATE", default="30/min")
# Searches and typeahead lookups per resident (or, signed out, per address); typeahead asks at
# each pause in typing, so this is generous.
SEARCH_RATE = env("SEARCH_RATE", default="120/min")

# Websocket handshakes are accepted from pages of this site only: an Origin whose host is in
# ALLOWED_HOSTS on the host and port the socket is opened on, or one listed here in full
# (``https://campus.example.jp:8443``) for a proxy that rewrites the Host header.
WEBSOCKET_ALLOWED_ORIGINS = env.list("WEBSOCKET_ALLOWED_ORIGINS", default=[])

_SECRET_MIN_BYTES = 32


def _secret_entropy_bytes(value: str) -> float:
    """A generous estimate of a random secret's entropy: its length times the bits of the
    character set it draws on (hex digits; else letters and digits by class, plus each other
    character it uses).  A phrase, a repeated pattern or few distinct characters count as none.
    """
    distinct = set(value)
    if len(distinct) < 10 or value in (value + value)[1:-1]:
        return 0.0
    if all(c in "0123456789abcdefABCDEF" for c in value):
        alphabet = 16
    else:
        classes = [str.islower, str.isupper, str.isdigit]
        alphabet = sum(
            size
            for size, test in zip((26, 26, 10), classes, strict=True)
            if any(c.isascii() and test(c) for c in value)
        )
        alphabet += len({c for c in distinct if not (c.isascii() and c.isalnum())})
    return len(value) * math.log2(alphabet) / 8


def _credential_key_refusals() -> list[str]:
    """Whether the credential signing key (and any retired keys) can be used, read as
    ``consortium.credentials.keys`` reads them (the core names no feature app)."""
    import json

    from joserfc.jwk import import_key

    name = "CREDENTIAL_SIGNING_KEY"
    if name not in env or not CREDENTIAL_SIGNING_KEY.strip():
        return [f"Production mode needs the environment variable {name}."]
    text = CREDENTIAL_SIGNING_KEY.strip()
    key = None
    try:
        data = json.loads(text) if text.startswith("{") else text
    except ValueError:
        data = None
    for kty in ("EC", "OKP"):
        if isinstance(data, dict) and data.get("kty") != kty:
            continue
        try:
            key = import_key(data, kty)
            break
        except Exception:  # noqa: S112 - any failure to read it is the refusal
            continue
    if key is None or key.get("crv") not in ("P-256", "Ed25519"):
        return [f"{name} must be an EC P-256 or Ed25519 private key (a JWK or a PEM)."]
    if not key.is_private:
        return [f"{name} must be the private key, not only its public part."]
    refusals = []
    if CREDENTIAL_RETIRED_KEYS.strip():
        try:
            retired = json.loads(CREDENTIAL_RETIRED_KEYS)
            entries: Any = retired.get("keys") if isinstance(retired, dict) else retired
            for entry in entries:
                import_key(entry, entry.get("kty"))
        except Exception:
            refusals.append(
                'CREDENTIAL_RETIRED_KEYS must be a JWKS ({"keys": [...]}) of public keys.'
            )
    if not CREDENTIAL_ISSUER_URL.startswith("https://"):
        refusals.append("CREDENTIAL_ISSUER_URL must be the site's https:// address.")
    return refusals


def _production_refusals() -> list[str]:
    refusals = [
        f"Production mode needs the environment variable {name}."
        for name in ("SECRET_KEY", "CARD_HMAC_KEY", "ALLOWED_HOSTS")
        if name not in env
    ]
    refusals += _credential_key_refusals()
    public_keys = {_DEV_SECRET_KEY, _DEV_CARD_HMAC_KEY}
    for name, value in (("SECRET_KEY", SECRET_KEY), ("CARD_HMAC_KEY", CARD_HMAC_KEY)):
        if name not in env:
            continue
        if value in public_keys or value.startswith("django-insecure-"):
            refusals.append(f"{name} is a public development key; generate a secret of its own.")
        elif _secret_entropy_bytes(value) < _SECRET_MIN_BYTES:
            refusals.append(
                f"{name} is too weak: use at least {_SECRET_MIN_BYTES} random bytes, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
            )
    if SECRET_KEY == CARD_HMAC_KEY:
        refusals.append("SECRET_KEY and CARD_HMAC_KEY must be different secrets.")
    # ALLOWED_HOSTS is also the websocket Origin allow-list: a wildcard lets any site's pages
    # open sockets with a resident's cookie.
    if not ALLOWED_HOSTS or any("*" in host for host in ALLOWED_HOSTS):
        refusals.append("ALLOWED_HOSTS must name the site's hosts, without a wildcard.")
    if any("*" in origin for origin in WEBSOCKET_ALLOWED_ORIGINS):
        refusals.append("WEBSOCKET_ALLOWED_ORIGINS must name origins, without a wildcard.")
    if DEBUG:
        refusals.append("DEBUG must be off in production mode.")
    return refusals


if PRODUCTION and (_refusals := _production_refusals()):
    raise ImproperlyConfigured("Production mode refuses to start: " + " ".join(_refusals))

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "campus_social.common",
    "campus_social.identity",
    "campus_social.audit",
    "campus_social.notifications",
    "campus_social.search",
    "campus_social.safeguarding",
    "messaging",
    "courses",
    "communities",
    "consortium",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "campus_social.common.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "campus_social.common.middleware.LanguageMiddleware",
    "campus_social.common.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "campus_social.urls"
ASGI_APPLICATION = "campus_social.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'campus.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work beside the one writer; IMMEDIATE takes the write lock at BEGIN, so two
    # concurrent writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Persistent connections pay off in production; elsewhere (tests included) they would keep
    # connections open in Channels' worker threads after the work is done.
    _conn_max_age = env.int("DATABASE_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
    DATABASES["default"]["CONN_MAX_AGE"] = _conn_max_age
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cs",
        }
    }
    # Why these values (docs/benchmarks.md has the measurements):
    # - capacity: events queued per channel — and channels_redis keeps one Redis list per
    #   process for all its sockets, so this bounds a whole process.  The default of 100 drops
    #   silently under a burst (only an INFO log); 1000 rides out bursts, and a socket that sees
    #   a seq jump fills the gap from the database (messaging/consumers.py).
    # - expiry: an event nobody picks up in 60 s is stale; the database has it.
    # - group_expiry: channels_redis drops group members older than this; sockets stay open
    #   for hours, so it stays at a day.  Stale members of dead sockets cost only queued events
    #   that expire, as long as group_discard succeeds — hence:
    # - max_connections: redis-py's async pool raises MaxConnectionsError past 100, which a mass
    #   disconnect reaches; per process, 1000 leaves room.
    # - socket_timeout: longer than channels_redis's 5 s blocking read (see below).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=1000),
                        # redis-py 8 defaults to a 5 s socket timeout, the same 5 s channels_redis
                        # blocks reading: the read times out and idle sockets are closed (1011).
                        "socket_timeout": 10,
                    }
                ],
                "prefix": "cs",
                "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=1000),
                "expiry": 60,
                "group_expiry": 86400,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": env.int("CHANNEL_LAYER_CAPACITY", default=1000), "expiry": 60},
        }
    }

# --- Identity and sessions ------------------------------------------------------------------

AUTH_USER_MODEL = "identity.Resident"
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:my-page"
LOGOUT_REDIRECT_URL = "frontend:landing"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
# Three wrong PINs in a row lock a card on this platform, as the real card does.
CARD_PIN_ATTEMPTS = 3
# Card-login attempts, counted for the page and the API alike.  Per card: the lock stops
# guessing anyway; this stops hammering a locked card.  Per address: a city-office counter or a
# kiosk serves many residents from one address, so it must allow at least 10 a minute.
CARD_LOGIN_RATE_PER_CARD = env("CARD_LOGIN_RATE_PER_CARD", default="10/min")
CARD_LOGIN_RATE_PER_ADDRESS = env("CARD_LOGIN_RATE_PER_ADDRESS", default="30/min")

# --- Messaging ------------------------------------------------------------------------------

# Messages a resident may send (sliding window); accounts younger than the set days get the
# stricter rate.  A client told `retry_after` seconds always gets through after waiting them.
MESSAGE_RATE = env("MESSAGE_RATE", default="30/min")
MESSAGE_RATE_NEW_ACCOUNT = env("MESSAGE_RATE_NEW_ACCOUNT", default="10/min")
MESSAGE_NEW_ACCOUNT_DAYS = 7

# --- Intergenerational programs ----------------------------------------------------------------

# Days after a program ends (ended, cancelled, or its term over) before
# ``manage.py communities_program_retention`` deletes or anonymises its children's data.
PROGRAM_CHILD_DATA_RETENTION_DAYS = env.int("PROGRAM_CHILD_DATA_RETENTION_DAYS", default=365)

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "campus_social" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
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
# Outside production WhiteNoise serves straight from the apps' static folders, so `make run`
# needs no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# --- Email ----------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Campus Social <noreply@localhost>")

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["campus_social.common.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["campus_social.common.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "campus_social.common.api.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "campus_social.common.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "campus_social.common.schema.AutoSchema",
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
# A route that does not exist: JSON under /api/ (campus_social.common.api.not_found), else this page.
PAGE_NOT_FOUND_VIEW = "frontend.views.not_found"
SPECTACULAR_SETTINGS = {
    "TITLE": "Campus Social API",
    "DESCRIPTION": "The town campus API, version 1. Sign in with POST /api/v1/auth/card/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Our bounded ``<id:…>`` path converter (campus_social/common/ids.py) is an integer.
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    # No view reads a PATCH body partially: its input serializer says what is required, so the
    # description uses that serializer, not a "Patched…" copy with every field optional.
    "COMPONENT_SPLIT_PATCH": False,
    # Several models have a ``status``; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "LecturerStatusEnum": "courses.models.Lecturer.Status",
        "OfferingStatusEnum": "courses.models.Offering.Status",
        "EnrolmentStatusEnum": "courses.models.Enrolment.Status",
        "CircleMemberStatusEnum": "communities.models.CircleMember.Status",
        "CircleMemberRoleEnum": "communities.models.CircleMember.Role",
        "RsvpAnswerEnum": "communities.models.Rsvp.Answer",
        "ProgramStatusEnum": "communities.values.ProgramStatus",
        "ProgramMoveEnum": "communities.values.PROGRAM_MOVES",
        "VolunteerStatusEnum": "communities.values.VolunteerStatus",
        # Circle topics are the course categories: one name for both.
        "CategoryEnum": "courses.models.Category",
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest multipart body the server reads at all (campus_social/common/body_cap.py): the
# largest upload an app accepts (a circle's 10 MB document, communities/uploads.py) plus room
# for the form around it.  Each app's own limit still applies below it.
REQUEST_UPLOAD_MAX_BYTES = env.int("REQUEST_UPLOAD_MAX_BYTES", default=11 * 1024 * 1024)

# --- Security headers -----------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSRF_FAILURE_VIEW = "frontend.views.csrf_failure"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
