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
INSTALLED_APPS = []
# The example site runs MultipleProxyMiddleware first; so does its twin.
MIDDLEWARE = ["playground.middleware.MultipleProxyMiddleware"]
TEMPLATES = []
DATABASES = {}
USE_TZ = True
LOGGING_CONFIG = None

if os.environ.get("PLAYGROUND_FIXED_TIME"):
    import types

    import django.core.signing
    import django.http.response

    _frozen = types.SimpleNamespace(time=lambda: float(os.environ["PLAYGROUND_FIXED_TIME"]))
    django.core.signing.time = _frozen
    django.http.response.time = _frozen
