"""Django's half of the live session interop test (test/Sessions.interop.test.ts).

    SESSIONS_SQLITE=/tmp/db.sqlite3 /usr/bin/python3 scripts/django/sessions_interop.py < job.json

Settings: scripts/django/sessions_site/settings.py. The job (JSON on stdin) is a list of steps:
  {"do": "migrate"}
  {"do": "write", "data": [[k, v], ...]}              -> a new session; prints its key
  {"do": "read", "key": K}                             -> the session's items, [] when unknown
  {"do": "update", "key": K, "data": [[k, v], ...]}   -> sets the items and saves
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
from django.contrib.sessions.backends.base import SessionBase  # noqa: E402
from django.core.management import call_command  # noqa: E402
from importlib import import_module  # noqa: E402

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
out = []
for step in json.load(sys.stdin):
    do = step["do"]
    if do == "migrate":
        call_command("migrate", verbosity=0, interactive=False)
        out.append(None)
    elif do == "write":
        s = SessionStore()
        for k, v in step["data"]:
            s[k] = v
        s.save()
        out.append(s.session_key)
    elif do == "read":
        s = SessionStore(step["key"])
        out.append([[k, v] for k, v in s.items()])
    elif do == "update":
        s = SessionStore(step["key"])
        for k, v in step["data"]:
            s[k] = v
        s.save()
        out.append(s.session_key)
    else:
        raise ValueError(do)
print(json.dumps(out))
