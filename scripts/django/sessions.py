"""Django 3.2 session vectors for test/Sessions.test.ts.

Run with /usr/bin/python3 (the interpreter that has Django 3.2):

    /usr/bin/python3 scripts/django/sessions.py

Writes test/fixtures/sessions.json. Deterministic: time is frozen (time.time and
timezone.now), and session keys come from a counter instead of get_random_string.

Data is written as lists of [key, value] pairs, to keep a dict's order. Session keys that
Django generated are written as placeholders (<key1>, <key2>, ... in order of appearance;
<stored> for a session saved before the request), since the TypeScript side draws its own.
"""
import base64
import datetime
import itertools
import json
import logging
import os
import re
import warnings
from contextlib import contextmanager
from unittest import mock

import django
from django.conf import settings

SECRET = "wave2-test-secret-key"
settings.configure(
    SECRET_KEY=SECRET,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    USE_TZ=True,
)
django.setup()
logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

from django.contrib.sessions.backends import db, signed_cookies  # noqa: E402
from django.contrib.sessions.backends.base import UpdateError  # noqa: E402
from django.contrib.sessions.exceptions import SessionInterrupted  # noqa: E402
from django.contrib.sessions.middleware import SessionMiddleware  # noqa: E402
from django.core import signing  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402

call_command("migrate", verbosity=0)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "sessions.json")
T0 = 1700000000.0
BACKENDS = {"db": db.SessionStore, "signed_cookies": signed_cookies.SessionStore}


@contextmanager
def frozen(t=T0):
    now = datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)
    with mock.patch("time.time", return_value=t), mock.patch("django.utils.timezone.now", return_value=now):
        yield


@contextmanager
def counted_keys():
    counter = itertools.count(1)
    with mock.patch(
        "django.contrib.sessions.backends.base.get_random_string",
        side_effect=lambda *a, **k: "k%031d" % next(counter),
    ):
        yield


def pairs(d):
    return [[k, v] for k, v in d.items()]


# ---------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------

DATAS = [
    {},
    {"a": 1},
    {"name": "Jos\u00e9", "emoji": "\U0001F600", "f": 1.5, "none": None, "t": True, "neg": -3},
    {"foo": "bar", "n": [1, 2, 3] * 20},
    {"z": 1, "10": "ten", "2": "two", "a": {"nested": [1, {"x": "y"}]}},
    {"_auth_user_id": "7", "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
     "_auth_user_hash": "0" * 64, "_session_expiry": 300},
    {"big": "x" * 5000, "ctl": "\t\n\u0000\u001f\"\\/", "line": "\u2028\u2029"},
    {"tiny": 1e-07, "huge": 1e16, "pi": 3.141592653589793, "maxsafe": 9007199254740991, "neg0": -0.0},
]

encodings = []
with frozen():
    for d in DATAS:
        s = db.SessionStore()
        with override_settings(DEFAULT_HASHING_ALGORITHM="sha1"):
            legacy = db.SessionStore().encode(d)
            sha1_signed = signing.dumps(d, salt="django.contrib.sessions.SessionStore", compress=True)
        encodings.append({
            "data": pairs(d),
            "encoded": s.encode(d),
            "legacy": legacy,
            "sha1Signed": sha1_signed,
            "signedCookie": signing.dumps(
                d, salt="django.contrib.sessions.backends.signed_cookies", compress=True),
        })

decodes = []
with frozen():
    good = db.SessionStore().encode({"a": 1})
    legacy = db.SessionStore()._legacy_encode({"a": 1, "b": [True]})
    other_key = signing.dumps({"a": 1}, key="another-secret", salt="django.contrib.sessions.SessionStore")
    other_salt = signing.dumps({"a": 1}, salt="django.contrib.sessions.backends.signed_cookies")
    not_dict_legacy = base64.b64encode(b"0" * 40 + b":" + b"{}").decode()
    cases = [
        good,
        good[:-1] + ("A" if good[-1] != "A" else "B"),
        "not-a-session",
        "",
        legacy,
        legacy[:-4] + "AAAA",
        other_key,
        other_salt,
        not_dict_legacy,
        "." + good,
    ]
    for value in cases:
        decodes.append({"value": value, "data": pairs(db.SessionStore().decode(value))})
# Decoded long after: encode() data carries no max_age.
with frozen(T0 + 10 * 365 * 86400):
    decodes.append({"value": good, "data": pairs(db.SessionStore().decode(good))})

# ---------------------------------------------------------------------------
# Keys (V14)
# ---------------------------------------------------------------------------

keys = [{"cookie": c, "key": db.SessionStore(c).session_key} for c in ["", "a", "short", "1234567", "12345678",
                                                                       "abcdefghijklmnopqrstuvwxyz012345", "x" * 40]]

# ---------------------------------------------------------------------------
# Operations: results and flags (V15-V17, V20)
# ---------------------------------------------------------------------------

STORED = {"k": 1, "other": "x"}


def run_op(s, op):
    name, args = op[0], op[1:]
    try:
        if name == "get":
            return s.get(args[0])
        if name == "getitem":
            return s[args[0]]
        if name == "set":
            s[args[0]] = args[1]
            return None
        if name == "del":
            del s[args[0]]
            return None
        if name == "pop":
            return s.pop(args[0], None)
        if name == "setdefault":
            return s.setdefault(args[0], args[1])
        if name == "update":
            s.update(dict(args[0]))
            return None
        if name == "has":
            return args[0] in s
        if name == "keys":
            return list(s.keys())
        if name == "values":
            return list(s.values())
        if name == "items":
            return [list(p) for p in s.items()]
        if name == "clear":
            s.clear()
            return None
        if name == "flush":
            s.flush()
            return None
        if name == "cycle_key":
            s.cycle_key()
            return None
        if name == "is_empty":
            return s.is_empty()
        if name == "set_expiry":
            s.set_expiry(args[0])
            return None
        if name == "get_expiry_age":
            return s.get_expiry_age()
        if name == "get_expiry_date":
            return s.get_expiry_date().timestamp()
        if name == "get_expire_at_browser_close":
            return s.get_expire_at_browser_close()
        if name == "set_test_cookie":
            s.set_test_cookie()
            return None
        if name == "test_cookie_worked":
            return s.test_cookie_worked()
        if name == "delete_test_cookie":
            s.delete_test_cookie()
            return None
        if name == "save":
            s.save()
            return None
        if name == "delete_row":
            BACKENDS["db"]().delete(s.session_key)
            return None
        if name == "advance":
            return None
        raise ValueError(name)
    except KeyError as e:
        return {"KeyError": e.args[0]}
    except UpdateError:
        return {"UpdateError": True}


def stored_session(backend):
    store = BACKENDS[backend]()
    for k, v in STORED.items():
        store[k] = v
    store.save()
    return store.session_key


def placeholders(values, stored):
    mapping = {}
    if stored:
        mapping[stored] = "<stored>"
    out = []
    for v in values:
        if isinstance(v, str):
            for key in re.findall(r"k\d{31}", v):
                if key not in mapping:
                    mapping[key] = "<key%d>" % (len([m for m in mapping.values() if m.startswith("<key")]) + 1)
            for key, name in mapping.items():
                v = v.replace(key, name)
        out.append(v)
    return out


def stored_row(backend, key):
    if backend != "db" or key is None:
        return None
    try:
        obj = db.SessionStore.get_model_class().objects.get(session_key=key)
    except Exception:
        return None
    return {"data": pairs(db.SessionStore().decode(obj.session_data)),
            "expire": obj.expire_date.timestamp()}


OP_SCENARIOS = []
for start in ["fresh", "stored", "short-cookie", "unknown-cookie", "garbage-cookie"]:
    for ops in [
        [["get", "k"]], [["getitem", "k"]], [["getitem", "missing"]], [["has", "k"]], [["keys"]], [["values"]],
        [["items"]], [["set", "k", 2]], [["set", "new", {"a": [1, None]}]], [["del", "k"]], [["del", "missing"]],
        [["pop", "k"]], [["pop", "missing"]], [["setdefault", "k", 5]], [["setdefault", "new", 5]],
        [["update", []]], [["update", [["b", 2], ["k", 3]]]], [["clear"]], [["is_empty"]], [["flush"]],
        [["cycle_key"]], [["set_expiry", 300], ["get_expiry_age"], ["get_expiry_date"],
                          ["get_expire_at_browser_close"]],
        [["set_expiry", 0], ["get_expiry_age"], ["get_expiry_date"], ["get_expire_at_browser_close"]],
        [["set_expiry", None]], [["set_expiry", 60], ["set_expiry", None], ["get_expiry_age"]],
        [["get_expiry_age"], ["get_expiry_date"], ["get_expire_at_browser_close"]],
        [["set_test_cookie"], ["test_cookie_worked"], ["delete_test_cookie"], ["test_cookie_worked"]],
        [["delete_test_cookie"]],
        [["set", "a", 1], ["save"]], [["save"]],
        [["set", "a", 1], ["flush"], ["is_empty"]],
    ]:
        for backend in ["db", "signed_cookies"]:
            with frozen(), counted_keys():
                if start == "fresh":
                    cookie, stored = None, None
                elif start == "stored":
                    stored = stored_session(backend)
                    cookie = stored
                elif start == "short-cookie":
                    cookie, stored = "abc", None
                elif start == "unknown-cookie":
                    cookie, stored = "u" * 32, None
                else:
                    cookie, stored = "garbage-but-long-enough", None
                s = BACKENDS[backend](cookie)
                results = [run_op(s, op) for op in ops]
                loaded = hasattr(s, "_session_cache")
                out = {
                    "start": start,
                    "backend": backend,
                    "ops": ops,
                    "results": results,
                    "accessed": s.accessed,
                    "modified": s.modified,
                    "isEmpty": s.is_empty(),
                    "loaded": loaded,
                    "data": pairs(s._session_cache) if loaded else None,
                }
                key_after = s.session_key
                row = stored_row(backend, key_after)
                stored_left = stored_row(backend, stored)
                [key_text] = placeholders([key_after if key_after is not None else None], stored)
                out["sessionKey"] = key_text if backend == "db" else (None if key_after is None else "<signed>")
                out["row"] = row
                out["storedRowLeft"] = stored_left is not None
                OP_SCENARIOS.append(out)

# ---------------------------------------------------------------------------
# Middleware (V21-V27)
# ---------------------------------------------------------------------------

MW_SCENARIOS = []
SETTINGS_VARIANTS = [
    {},
    {"SESSION_SAVE_EVERY_REQUEST": True},
    {"SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_SECURE": True},
    {"SESSION_COOKIE_NAME": "sid", "SESSION_COOKIE_PATH": "/app", "SESSION_COOKIE_DOMAIN": ".example.com",
     "SESSION_COOKIE_HTTPONLY": False, "SESSION_COOKIE_SAMESITE": "Strict", "SESSION_COOKIE_AGE": 600},
    {"SESSION_COOKIE_SAMESITE": None},
]
MW_OPS = [
    [],
    [["get", "x"]],
    [["set", "a", 1]],
    [["set_expiry", 0]],
    [["set_expiry", 60], ["set", "a", 1]],
    [["flush"]],
    [["clear"]],
    [["cycle_key"]],
    [["pop", "missing"]],
    [["set", "b", 2], ["delete_row"]],
]
for backend in ["db", "signed_cookies"]:
    for variant in SETTINGS_VARIANTS:
        for start in ["fresh", "stored", "short-cookie", "unknown-cookie"]:
            for ops in MW_OPS:
                for status in [200, 404, 500]:
                    if backend == "signed_cookies" and any(op[0] == "delete_row" for op in ops):
                        continue
                    if status != 200 and len(ops) > 1:
                        continue
                    with override_settings(**variant), frozen(), counted_keys():
                        name = settings.SESSION_COOKIE_NAME
                        cookies = {}
                        stored = None
                        if start == "stored":
                            stored = stored_session(backend)
                            cookies[name] = stored
                        elif start == "short-cookie":
                            cookies[name] = "abc"
                        elif start == "unknown-cookie":
                            cookies[name] = "u" * 32
                        req = RequestFactory().get("/")
                        req.COOKIES = cookies
                        with override_settings(SESSION_ENGINE="django.contrib.sessions.backends." + backend):
                            mw = SessionMiddleware(lambda r: HttpResponse())
                            mw.process_request(req)
                            for op in ops:
                                if op[0] == "delete_row":
                                    db.SessionStore(req.session.session_key).delete()
                                else:
                                    run_op(req.session, op)
                            try:
                                resp = mw.process_response(req, HttpResponse(status=status))
                                outcome = {
                                    "status": resp.status_code,
                                    "setCookies": [m.OutputString() for m in resp.cookies.values()],
                                    "vary": resp.get("Vary"),
                                }
                            except SessionInterrupted as e:
                                outcome = {"status": 400, "error": type(e).__name__, "message": str(e),
                                           "setCookies": [], "vary": None}
                        key_after = req.session.session_key
                        texts = placeholders(outcome["setCookies"], stored)
                        outcome["setCookies"] = texts
                        outcome["row"] = stored_row(backend, key_after)
                        outcome["storedRowLeft"] = stored_row(backend, stored) is not None
                        MW_SCENARIOS.append({
                            "backend": backend,
                            "settings": variant,
                            "start": start,
                            "ops": ops,
                            "responseStatus": status,
                            **outcome,
                        })

# Signed-cookie sessions past SESSION_COOKIE_AGE (V13).
signed_age = []
with frozen():
    value = signing.dumps({"cart": [1, 2]}, salt="django.contrib.sessions.backends.signed_cookies", compress=True)
for dt in [0, 1209600, 1209601]:
    with frozen(T0 + dt):
        s = signed_cookies.SessionStore(value)
        signed_age.append({"after": dt, "value": value, "data": pairs(s.load()), "modified": s.modified})

# db: load() ignores rows whose expire_date <= now (V20).
db_expiry = []
with frozen(), counted_keys():
    s = db.SessionStore()
    s["a"] = 1
    s.set_expiry(100)
    s.save()
    key = s.session_key
for dt in [0, 99, 100, 101]:
    with frozen(T0 + dt):
        s = db.SessionStore(key)
        db_expiry.append({"after": dt, "data": pairs(s.load()), "keyKept": s.session_key is not None})

with open(OUT, "w") as f:
    json.dump({
        "secret": SECRET,
        "t0": T0,
        "stored": pairs(STORED),
        "encodings": encodings,
        "decodes": decodes,
        "keys": keys,
        "ops": OP_SCENARIOS,
        "middleware": MW_SCENARIOS,
        "signedAge": signed_age,
        "dbExpiry": db_expiry,
    }, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", OUT, len(OP_SCENARIOS), "op scenarios,", len(MW_SCENARIOS), "middleware scenarios")
