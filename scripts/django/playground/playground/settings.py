"""Settings of the playground twin, read from the same environment variables as the example site
(see playground.md): SECRET_KEY, ALLOWED_HOSTS, DEBUG, USE_X_FORWARDED_HOST/PORT,
SECURE_PROXY_SSL_HEADER, DATA_UPLOAD_*, FILE_UPLOAD_*.

PLAYGROUND_FIXED_TIME (seconds since the epoch), a test affordance shared with the example site,
freezes the clock that signing and cookie expiry read, so that signed values and Expires dates are
reproducible.
"""
import os

DEV_SECRET_KEY = "playground-insecure-development-key-do-not-use-in-production"


def _flag(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _limit(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    raw = raw.strip()
    if raw.lower() == "none":
        return None
    return int(raw)


def _list(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = _list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
USE_X_FORWARDED_HOST = _flag("USE_X_FORWARDED_HOST")
USE_X_FORWARDED_PORT = _flag("USE_X_FORWARDED_PORT")

_proxy = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = tuple(part.strip() for part in _proxy.split(",")) if _proxy else None

DATA_UPLOAD_MAX_MEMORY_SIZE = _limit("DATA_UPLOAD_MAX_MEMORY_SIZE", 2621440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = _limit("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = _limit("DATA_UPLOAD_MAX_NUMBER_FILES", 100)
FILE_UPLOAD_MAX_MEMORY_SIZE = _limit("FILE_UPLOAD_MAX_MEMORY_SIZE", 2621440)
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None

ROOT_URLCONF = "playground.urls"
WSGI_APPLICATION = "playground.wsgi.application"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"]
# The example site's middleware, in the same order.
MIDDLEWARE = [
    "playground.middleware.MultipleProxyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = []
CSRF_FAILURE_VIEW = "playground.accounts.csrf_failure"

# --- Part 2: sessions, CSRF, users (playground.md) ---
import tempfile  # noqa: E402
from urllib.parse import unquote, urlsplit  # noqa: E402

DATABASE_URL = os.environ.get("DATABASE_URL") or "sqlite:" + os.path.join(
    tempfile.gettempdir(), "effect-django-http-playground.sqlite3")
if DATABASE_URL.startswith("sqlite:"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATABASE_URL[len("sqlite:"):]}}
else:
    _u = urlsplit(DATABASE_URL)
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _u.path.lstrip("/"),
        "USER": unquote(_u.username or ""),
        "PASSWORD": unquote(_u.password or ""),
        "HOST": _u.hostname or "",
        "PORT": str(_u.port or ""),
    }}

SESSION_ENGINE = "django.contrib.sessions.backends." + {
    "db": "db", "signed_cookies": "signed_cookies", "cache": "cache",
}[os.environ.get("SESSION_ENGINE") or "db"]
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE") or 60 * 60 * 24 * 7 * 2)
SESSION_SAVE_EVERY_REQUEST = _flag("SESSION_SAVE_EVERY_REQUEST")
SESSION_EXPIRE_AT_BROWSER_CLOSE = _flag("SESSION_EXPIRE_AT_BROWSER_CLOSE")
SESSION_COOKIE_NAME = os.environ.get("SESSION_COOKIE_NAME") or "sessionid"
SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE")
SESSION_COOKIE_HTTPONLY = _flag("SESSION_COOKIE_HTTPONLY", True)
_samesite = os.environ.get("SESSION_COOKIE_SAMESITE")
SESSION_COOKIE_SAMESITE = "Lax" if _samesite is None else (None if _samesite == "off" else _samesite)
SESSION_COOKIE_PATH = os.environ.get("SESSION_COOKIE_PATH") or "/"
SESSION_COOKIE_DOMAIN = os.environ.get("SESSION_COOKIE_DOMAIN") or None

CSRF_USE_SESSIONS = _flag("CSRF_USE_SESSIONS")
CSRF_COOKIE_NAME = os.environ.get("CSRF_COOKIE_NAME") or "csrftoken"
CSRF_COOKIE_SECURE = _flag("CSRF_COOKIE_SECURE")
CSRF_COOKIE_HTTPONLY = _flag("CSRF_COOKIE_HTTPONLY")
CSRF_COOKIE_AGE = _limit("CSRF_COOKIE_AGE", 60 * 60 * 24 * 7 * 52)
CSRF_HEADER_NAME = os.environ.get("CSRF_HEADER_NAME") or "HTTP_X_CSRFTOKEN"
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS", [])

# The playground's one user, created at start (serve.py) when missing.
ALICE_PASSWORD = "pbkdf2_sha256$260000$playgroundsalt00000000$CL7VMH77KiCOGzTbt416/u4GuQsXDVDgaYlHtZ1UR/c="
USE_TZ = True
LOGGING_CONFIG = None

if os.environ.get("PLAYGROUND_FIXED_TIME"):
    import types

    import django.core.signing
    import django.http.response

    _frozen = types.SimpleNamespace(time=lambda: float(os.environ["PLAYGROUND_FIXED_TIME"]))
    django.core.signing.time = _frozen
    django.http.response.time = _frozen
