"""A Django 3.2 settings module sharing its sessions with effect-django-http.

The database comes from the environment: SESSIONS_SQLITE (a SQLite file path) or
DATABASE_URL (postgres://user@host:port/name). SECRET_KEY from SESSIONS_SECRET_KEY.
SESSIONS_ENGINE picks the backend: "db" (default) or "signed_cookies".
"""
import os
from urllib.parse import urlparse

SECRET_KEY = os.environ.get("SESSIONS_SECRET_KEY", "interop-secret")
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"]
SESSION_ENGINE = "django.contrib.sessions.backends." + os.environ.get("SESSIONS_ENGINE", "db")

if os.environ.get("SESSIONS_SQLITE"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["SESSIONS_SQLITE"]}}
elif os.environ.get("DATABASE_URL"):
    url = urlparse(os.environ["DATABASE_URL"])
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
    }}
else:
    DATABASES = {}
