"""Django 3.2 auth vectors (django.contrib.auth) for test/Auth.test.ts.

Run with /usr/bin/python3 (the interpreter that has Django 3.2):

    /usr/bin/python3 scripts/django/auth.py

Writes test/fixtures/auth.json: AnonymousUser's fields, the session after login() for each
cycle-or-flush case, get_user() on crafted sessions (hash mismatch, legacy sha1 hash, unknown
backend, inactive or missing user), authenticate() (ModelBackend), logout(), the redirects of
login_required / user_passes_test / permission_required, and AuthenticationMiddleware's laziness.
Passwords use 1 iteration so that the tests stay fast (the hash's shape is all that matters here).
"""
import json
import os

import django
from django.conf import settings

urlpatterns = []  # ROOT_URLCONF: resolve_url() tries reverse() first
SECRET = "auth-fixture-secret-\u00e9"
settings.configure(
    SECRET_KEY=SECRET,
    USE_TZ=True,
    ROOT_URLCONF="__main__",
    ALLOWED_HOSTS=["testserver", "example.com"],
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)
django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, authenticate, get_user, login, logout)
from django.contrib.auth.decorators import login_required, permission_required, user_passes_test  # noqa: E402
from django.contrib.auth.hashers import PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher  # noqa: E402
from django.contrib.auth.middleware import AuthenticationMiddleware  # noqa: E402
from django.contrib.auth.models import AnonymousUser, User  # noqa: E402
from django.contrib.sessions.middleware import SessionMiddleware  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "auth.json")
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
H = PBKDF2PasswordHasher()


def pw(raw, salt="abcdefghijklmnopqrstuv", iterations=1):
    return H.encode(raw, salt, iterations)


USERS = [
    dict(id=7, username="bob", password=pw("pw"), is_active=True, is_staff=False, is_superuser=False,
         first_name="Bob", last_name="B", email="bob@example.com"),
    dict(id=8, username="carol", password=pw("carol-pw", "carolcarolcarolcarol22"), is_active=True,
         is_staff=True, is_superuser=True, first_name="", last_name="", email=""),
    dict(id=9, username="dave", password=pw("dave-pw"), is_active=False, is_staff=False,
         is_superuser=False, first_name="", last_name="", email=""),
    dict(id=10, username="eve\u00e9", password=PBKDF2SHA1PasswordHasher().encode("\u00e9v\u00e9", "abcdefghijklmnopqrstuv", 1),
         is_active=True, is_staff=False, is_superuser=False, first_name="", last_name="", email=""),
    dict(id=11, username="Frank", password=pw("frank", "short"), is_active=True, is_staff=False,
         is_superuser=False, first_name="", last_name="", email=""),
    dict(id=12, username="nopass", password="!" + "x" * 40, is_active=True, is_staff=False,
         is_superuser=False, first_name="", last_name="", email=""),
]
for u in USERS:
    User.objects.create(**u)

rf = RequestFactory()


def request(path="/", **extra):
    req = rf.get(path, **extra)
    SessionMiddleware(lambda r: HttpResponse()).process_request(req)
    return req


def items(req):
    return [[k, v] for k, v in req.session.items()]


out = {"secret": SECRET, "users": USERS, "modelBackend": MODEL_BACKEND,
       "sessionKeys": [SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY]}

# --- AnonymousUser (V33) ---
a = AnonymousUser()
out["anonymous"] = dict(id=a.id, pk=a.pk, username=a.username, is_staff=a.is_staff, is_active=a.is_active,
                        is_superuser=a.is_superuser, is_anonymous=a.is_anonymous,
                        is_authenticated=a.is_authenticated, str=str(a), get_username=a.get_username())
u = User.objects.get(pk=7)
out["userFlags"] = dict(is_anonymous=u.is_anonymous, is_authenticated=u.is_authenticated, str=str(u),
                        get_username=u.get_username(), full_name=u.get_full_name(), short_name=u.get_short_name())
out["hashes"] = {str(x["id"]): [User.objects.get(pk=x["id"]).get_session_auth_hash(),
                                User.objects.get(pk=x["id"])._legacy_get_session_auth_hash()] for x in USERS}

# --- login(): cycle or flush (V32) ---
# start: the session's contents before login (saved, so it has a key), or None for no session yet.
LOGIN_CASES = [
    ("fresh session, nothing stored", None, 7),
    ("anonymous data is kept, key cycled", [["cart", [1]]], 7),
    ("same user, same hash: key kept", [["cart", [2]], [SESSION_KEY, "7"], [BACKEND_SESSION_KEY, MODEL_BACKEND],
                                          [HASH_SESSION_KEY, "@hash7"]], 7),
    ("same user stored as a number", [[SESSION_KEY, 7], [BACKEND_SESSION_KEY, MODEL_BACKEND],
                                      [HASH_SESSION_KEY, "@hash7"]], 7),
    ("same user, other hash (password changed): flush", [["cart", [3]], [SESSION_KEY, "7"],
                                                         [HASH_SESSION_KEY, "0" * 64]], 7),
    ("same user, legacy sha1 hash: flush", [[SESSION_KEY, "7"], [HASH_SESSION_KEY, "@legacy7"]], 7),
    ("same user, no hash stored: flush", [["cart", [4]], [SESSION_KEY, "7"]], 7),
    ("same user, empty hash: flush", [[SESSION_KEY, "7"], [HASH_SESSION_KEY, ""]], 7),
    ("another user logged in: flush", [["cart", [5]], [SESSION_KEY, "8"], [HASH_SESSION_KEY, "@hash8"]], 7),
    ("another user, login as superuser", [[SESSION_KEY, "7"], [HASH_SESSION_KEY, "@hash7"]], 8),
    ("only a backend stored: cycle", [["x", 1], [BACKEND_SESSION_KEY, MODEL_BACKEND]], 7),
]


def resolve(v):
    if isinstance(v, str) and v.startswith("@hash"):
        return User.objects.get(pk=int(v[5:])).get_session_auth_hash()
    if isinstance(v, str) and v.startswith("@legacy"):
        return User.objects.get(pk=int(v[7:]))._legacy_get_session_auth_hash()
    return v


logins = []
for name, start, uid in LOGIN_CASES:
    req = request()
    before = None
    if start is not None:
        for k, v in start:
            req.session[k] = resolve(v)
        req.session.save()
        before = req.session.session_key
    req.META["CSRF_COOKIE"] = "x" * 64
    user = User.objects.get(pk=uid)
    login(req, user, backend=MODEL_BACKEND)
    after = req.session.session_key
    logins.append(dict(
        name=name, start=start, user=uid, data=items(req),
        key="none" if after is None else ("same" if after == before else "new"),
        hadKey=before is not None,
        csrfRotated=req.META["CSRF_COOKIE"] != "x" * 64,
        csrfNeedsReset=getattr(req, "csrf_cookie_needs_reset", False),
        lastLoginSet=User.objects.get(pk=uid).last_login is not None,
    ))
out["login"] = logins

# --- get_user() on crafted sessions ---
GET_USER_CASES = [
    ("logged in", [[SESSION_KEY, "7"], [BACKEND_SESSION_KEY, MODEL_BACKEND], [HASH_SESSION_KEY, "@hash7"]]),
    ("id stored as a number", [[SESSION_KEY, 7], [BACKEND_SESSION_KEY, MODEL_BACKEND], [HASH_SESSION_KEY, "@hash7"]]),
    ("legacy sha1 hash accepted", [[SESSION_KEY, "7"], [BACKEND_SESSION_KEY, MODEL_BACKEND],
                                   [HASH_SESSION_KEY, "@legacy7"]]),
    ("hash mismatch flushes", [["cart", [1]], [SESSION_KEY, "7"], [BACKEND_SESSION_KEY, MODEL_BACKEND],
                               [HASH_SESSION_KEY, "0" * 64]]),
    ("hash of another user flushes", [[SESSION_KEY, "7"], [BACKEND_SESSION_KEY, MODEL_BACKEND],
                                      [HASH_SESSION_KEY, "@hash8"]]),
    ("empty hash flushes", [[SESSION_KEY, "7"], [BACKEND_SESSION_KEY, MODEL_BACKEND], [HASH_SESSION_KEY, ""]]),
    ("no hash flushes", [["keep", "?"], [SESSION_KEY, "7"], [BACKEND_SESSION_KEY, MODEL_BACKEND]]),
    ("unknown backend: anonymous, no flush", [[SESSION_KEY, "7"], [BACKEND_SESSION_KEY, "my.Backend"],
                                              [HASH_SESSION_KEY, "0" * 64]]),
    ("no backend key: anonymous", [[SESSION_KEY, "7"], [HASH_SESSION_KEY, "@hash7"]]),
    ("no user id: anonymous", [["cart", [1]], [BACKEND_SESSION_KEY, MODEL_BACKEND]]),
    ("missing user: anonymous, no flush", [[SESSION_KEY, "99"], [BACKEND_SESSION_KEY, MODEL_BACKEND],
                                           [HASH_SESSION_KEY, "0" * 64]]),
    ("inactive user: anonymous, no flush", [[SESSION_KEY, "9"], [BACKEND_SESSION_KEY, MODEL_BACKEND],
                                            [HASH_SESSION_KEY, "@hash9"]]),
    ("superuser", [[SESSION_KEY, "8"], [BACKEND_SESSION_KEY, MODEL_BACKEND], [HASH_SESSION_KEY, "@hash8"]]),
    ("sha1 password user", [[SESSION_KEY, "10"], [BACKEND_SESSION_KEY, MODEL_BACKEND], [HASH_SESSION_KEY, "@hash10"]]),
    ("empty session", []),
]
get_users = []
for name, start in GET_USER_CASES:
    req = request()
    for k, v in start:
        req.session[k] = resolve(v)
    req.session.save()
    before = req.session.session_key
    user = get_user(req)
    get_users.append(dict(name=name, start=start, user=None if user.is_anonymous else user.pk, data=items(req),
                          key="none" if req.session.session_key is None else (
                              "same" if req.session.session_key == before else "new")))
out["getUser"] = get_users

# --- authenticate() (ModelBackend) ---
AUTH_CASES = [("bob", "pw"), ("bob", "PW"), ("bob", ""), ("Bob", "pw"), ("dave", "dave-pw"), ("nobody", "pw"),
              ("eve\u00e9", "\u00e9v\u00e9"), ("Frank", "frank"), ("carol", "carol-pw"), ("nopass", "x"),
              ("bob", None), (None, "pw")]
auths = []
for username, password in AUTH_CASES:
    before = {x.pk: x.password for x in User.objects.all()}
    user = authenticate(rf.get("/"), username=username, password=password)
    changed = {str(x.pk): x.password for x in User.objects.all() if before[x.pk] != x.password}
    auths.append(dict(username=username, password=password, user=None if user is None else user.pk,
                      backend=None if user is None else user.backend,
                      upgraded={k: v.split("$")[:2] + [len(v.split("$")[2])] for k, v in changed.items()}))
    for pk, p in before.items():  # put the fixture's hashes back
        User.objects.filter(pk=pk).update(password=p)
out["authenticate"] = auths

# --- logout() (V33) ---
req = request()
for k, v in [["cart", [1]], [SESSION_KEY, "7"], [BACKEND_SESSION_KEY, MODEL_BACKEND], [HASH_SESSION_KEY, "@hash7"]]:
    req.session[k] = resolve(v)
req.session.save()
AuthenticationMiddleware(lambda r: HttpResponse()).process_request(req)
logout(req)
out["logout"] = dict(data=items(req), key=req.session.session_key, user=type(req.user).__name__)

# --- AuthenticationMiddleware is lazy (V71) ---
req = request()
AuthenticationMiddleware(lambda r: HttpResponse()).process_request(req)
lazy = [req.session.accessed]
_ = req.user.is_authenticated
lazy.append(req.session.accessed)
out["lazy"] = lazy


# --- decorators ---
def ok(request):
    return HttpResponse("ok")


def as_user(uid):
    return AnonymousUser() if uid is None else User.objects.get(pk=uid)


REDIRECT_CASES = [
    dict(path="/private/", query=None, host=None, secure=False),
    dict(path="/private/", query="a=1&b=%C3%A9+x&next=/x", host=None, secure=False),
    dict(path="/caf\u00e9/ ?#", query=None, host=None, secure=False),
    dict(path="/a%2Fb/c d/", query="q=%2F%3F%26", host=None, secure=False),
    dict(path="/p/", query=None, host="example.com", secure=True),
    dict(path="/p;x=1/", query="u=%C3%BC", host="example.com:8000", secure=False),
]
LOGIN_URLS = [None, "/accounts/login/", "/login/?lang=fr&x=%2F", "https://sso.example.com/login",
              "http://testserver/auth/", "//testserver/auth/", "http://example.com/login/?n=1", "login/"]
FIELDS = ["next", "return_to", None, ""]
redirects = []
for case in REDIRECT_CASES:
    for login_url in LOGIN_URLS:
        for field in FIELDS:
            extra = {}
            if case["host"]:
                extra["HTTP_HOST"] = case["host"]
            path = case["path"] + ("?" + case["query"] if case["query"] else "")
            req = rf.get(path, secure=case["secure"], **extra)
            req.user = AnonymousUser()
            kwargs = {}
            if login_url is not None:
                kwargs["login_url"] = login_url
            if field is not None:
                kwargs["redirect_field_name"] = field
            resp = login_required(ok, **kwargs)(req)
            redirects.append(dict(path=case["path"], query=case["query"], host=case["host"], secure=case["secure"],
                                  loginUrl=login_url, field=field, status=resp.status_code,
                                  location=resp["Location"]))
out["loginRequired"] = redirects
with override_settings(LOGIN_URL="/custom/login/"):
    req = rf.get("/x/?y=1")
    req.user = AnonymousUser()
    out["loginUrlSetting"] = dict(setting="/custom/login/", location=login_required(ok)(req)["Location"])

perms = []
for uid in [None, 7, 8, 9]:
    for raise_exception in [False, True]:
        for perm in ["app.change_thing", ["app.view_thing", "app.change_thing"]]:
            req = rf.get("/edit/?id=3")
            req.user = as_user(uid)
            try:
                resp = permission_required(perm, raise_exception=raise_exception)(ok)(req)
                result = dict(status=resp.status_code, location=resp.get("Location"))
            except PermissionDenied:
                result = dict(error="PermissionDenied")
            perms.append(dict(user=uid, raiseException=raise_exception, perm=perm, **result))
out["permissionRequired"] = perms

tests = []
for uid in [None, 7, 8]:
    req = rf.get("/staff/")
    req.user = as_user(uid)
    resp = user_passes_test(lambda u: u.is_staff)(ok)(req)
    tests.append(dict(user=uid, status=resp.status_code, location=resp.get("Location")))
out["userPassesTest"] = tests

with open(OUT, "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=True)
    f.write("\n")
print("wrote", OUT)
