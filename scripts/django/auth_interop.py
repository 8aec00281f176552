"""Django's half of the live auth interop test (test/Auth.interop.test.ts).

    SESSIONS_SQLITE=/tmp/db.sqlite3 /usr/bin/python3 scripts/django/auth_interop.py < job.json

Settings: scripts/django/sessions_site/settings.py (db sessions and auth_user in the same
database). The job (JSON on stdin) is a list of steps:
  {"do": "migrate"}
  {"do": "createsuperuser", "username": U, "email": E, "password": P}  -> the user's pk
  {"do": "login", "username": U, "password": P}    -> authenticate() + login(); the session key
  {"do": "get_user", "key": K}                      -> {"user": pk or None, "items": [...], "exists": bool}
  {"do": "check", "username": U, "password": P}     -> authenticate() gives the user: its pk, else None
  {"do": "user", "username": U}                     -> the auth_user row as Django's ORM reads it
  {"do": "set_password", "username": U, "password": P}
Prints one JSON list with each step's result.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "sessions_site"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import authenticate, get_user, login  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.middleware import SessionMiddleware  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from importlib import import_module  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
rf = RequestFactory()


def request(key=None):
    req = rf.get("/")
    if key is not None:
        req.COOKIES[settings.SESSION_COOKIE_NAME] = key
    SessionMiddleware(lambda r: HttpResponse()).process_request(req)
    return req


out = []
for step in json.load(sys.stdin):
    do = step["do"]
    if do == "migrate":
        call_command("migrate", verbosity=0, interactive=False)
        out.append(None)
    elif do == "createsuperuser":
        os.environ["DJANGO_SUPERUSER_PASSWORD"] = step["password"]
        call_command("createsuperuser", interactive=False, username=step["username"], email=step["email"],
                     verbosity=0)
        out.append(User.objects.get(username=step["username"]).pk)
    elif do == "login":
        req = request()
        user = authenticate(req, username=step["username"], password=step["password"])
        login(req, user)
        req.session.save()
        out.append(req.session.session_key)
    elif do == "get_user":
        req = request(step["key"])
        user = get_user(req)
        out.append({"user": None if user.is_anonymous else user.pk,
                    "items": [[k, v] for k, v in req.session.items()],
                    "exists": SessionStore().exists(step["key"])})
    elif do == "check":
        user = authenticate(rf.get("/"), username=step["username"], password=step["password"])
        out.append(None if user is None else user.pk)
    elif do == "user":
        u = User.objects.get(username=step["username"])
        out.append({"id": u.pk, "username": u.username, "password": u.password, "is_active": u.is_active,
                    "is_staff": u.is_staff, "is_superuser": u.is_superuser, "email": u.email,
                    "first_name": u.first_name, "last_name": u.last_name,
                    "last_login": None if u.last_login is None else u.last_login.isoformat(),
                    "date_joined": u.date_joined.isoformat()})
    elif do == "set_password":
        u = User.objects.get(username=step["username"])
        u.set_password(step["password"])
        u.save()
        out.append(None)
print(json.dumps(out))
