"""Django 3.2 CSRF vectors for test/Csrf.test.ts.

Run with /usr/bin/python3 (the interpreter that has Django 3.2):

    /usr/bin/python3 scripts/django/csrf.py

Writes test/fixtures/csrf.json. Deterministic: a seeded generator for the random cases, the
middleware's randomness (`_get_new_csrf_string`) replaced by given strings where an output
depends on it, and time.time() fixed where a cookie expiry is printed.
"""
import json
import os
import random
import sys
import types
from unittest import mock
from urllib.parse import urlencode

import django
from django.conf import settings

views = types.ModuleType("csrf_fixture_views")


def echo_failure(request, reason=""):
    from django.http import HttpResponse
    return HttpResponse(reason, status=403)


views.echo_failure = echo_failure
sys.modules["csrf_fixture_views"] = views

BASE_SETTINGS = {
    "SECRET_KEY": "csrf-fixture-secret",
    "ALLOWED_HOSTS": ["testserver", "example.com", ".example.com", "good.test:8443"],
    "USE_TZ": True,
    "CSRF_FAILURE_VIEW": "csrf_fixture_views.echo_failure",
    "TEMPLATES": [{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
}
settings.configure(**BASE_SETTINGS)
django.setup()

from django.http import HttpResponse  # noqa: E402
from django.middleware import csrf  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402
from django.utils.http import is_same_domain  # noqa: E402
from django.views.decorators.csrf import (  # noqa: E402
    csrf_exempt, csrf_protect, ensure_csrf_cookie, requires_csrf_token)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "csrf.json")
rng = random.Random(18)
CHARS = csrf.CSRF_ALLOWED_CHARS
NOW = 1700000000


def rand(n, alphabet=CHARS):
    return "".join(rng.choice(alphabet) for _ in range(n))


def fixed_strings(*values):
    it = iter(values)
    return mock.patch("django.middleware.csrf._get_new_csrf_string", side_effect=lambda: next(it))


def masked(secret, mask):
    with fixed_strings(mask):
        return csrf._mask_cipher_secret(secret)


out = {"django": django.get_version()}
out["constants"] = {
    "secretLength": csrf.CSRF_SECRET_LENGTH,
    "tokenLength": csrf.CSRF_TOKEN_LENGTH,
    "allowedChars": csrf.CSRF_ALLOWED_CHARS,
    "sessionKey": csrf.CSRF_SESSION_KEY,
}
out["reasons"] = {
    "NO_REFERER": csrf.REASON_NO_REFERER,
    "BAD_REFERER": csrf.REASON_BAD_REFERER,
    "NO_CSRF_COOKIE": csrf.REASON_NO_CSRF_COOKIE,
    "BAD_TOKEN": csrf.REASON_BAD_TOKEN,
    "MALFORMED_REFERER": csrf.REASON_MALFORMED_REFERER,
    "INSECURE_REFERER": csrf.REASON_INSECURE_REFERER,
}
out["settingsDefaults"] = {
    name: getattr(django.conf.global_settings, name)
    for name in [
        "CSRF_COOKIE_NAME", "CSRF_COOKIE_AGE", "CSRF_COOKIE_DOMAIN", "CSRF_COOKIE_PATH", "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "CSRF_HEADER_NAME", "CSRF_USE_SESSIONS",
        "CSRF_TRUSTED_ORIGINS", "CSRF_FAILURE_VIEW",
    ]
}

# -- mask / unmask -----------------------------------------------------------------------------
mask_cases = [
    ("abcdefghijklmnopqrstuvwxyzABCDEF", "0123456789ABCDEFGHIJKLMNOPQRSTUV"),
    ("Zq3tV9xK0pLmN8rS2wYb7cD1eF4gH6jA", "z" * 32),
    ("Zq3tV9xK0pLmN8rS2wYb7cD1eF4gH6jA", "9" * 32),
    ("a" * 32, "a" * 32),
    ("9" * 32, "9" * 32),
    ("S" * 32, "a" * 32),
    ("S" * 32, "b" * 32),
]
mask_cases += [(rand(32), rand(32)) for _ in range(60)]
out["mask"] = []
for secret, mask in mask_cases:
    token = masked(secret, mask)
    out["mask"].append({"secret": secret, "mask": mask, "token": token, "unmasked": csrf._unmask_cipher_token(token)})

# -- _sanitize_token ----------------------------------------------------------------------------
good64 = masked("k" * 32, "0123456789ABCDEFGHIJKLMNOPQRSTUV")
sanitize_inputs = [
    good64, "s" * 32, rand(32), rand(64), "", "bad-token!", "a" * 40, "a" * 31, "a" * 33, "a" * 63, "a" * 65,
    "a" * 128, good64[:-1] + "-", good64[:-1] + "\u00e9", " " + "a" * 31, "a" * 31 + "\n", "\u0661" * 32,
    "\uff41" * 64, "x" * 64, "0" * 32,
]
out["sanitize"] = []
for value in sanitize_inputs:
    with fixed_strings("M" * 32, "N" * 32):
        result = csrf._sanitize_token(value)
    if result == value:
        kind = "kept"
    elif result == masked(value, "M" * 32) if len(value) == 32 and value.isascii() and value.isalnum() else False:
        kind = "masked"
    else:
        kind = "new"
    out["sanitize"].append({"input": value, "kind": kind, "output": result, "masks": ["M" * 32, "N" * 32]})

# -- _compare_masked_tokens ----------------------------------------------------------------------
secret_a, secret_b = rand(32), rand(32)
pairs = [
    (masked(secret_a, rand(32)), masked(secret_a, rand(32))),
    (masked(secret_a, rand(32)), masked(secret_b, rand(32))),
    (masked("S" * 32, "a" * 32), masked("S" * 32, "b" * 32)),
    (good64, good64),
    (masked(secret_a, "a" * 32), masked(secret_a[:-1] + ("A" if secret_a[-1] != "A" else "B"), "a" * 32)),
]
for _ in range(20):
    s = rand(32)
    pairs.append((masked(s, rand(32)), masked(s, rand(32))))
    pairs.append((masked(s, rand(32)), masked(rand(32), rand(32))))
out["compare"] = [{"a": a, "b": b, "equal": csrf._compare_masked_tokens(a, b)} for a, b in pairs]

# -- is_same_domain ------------------------------------------------------------------------------
domain_cases = [
    ("example.com", "example.com"), ("sub.example.com", ".example.com"), ("example.com", ".example.com"),
    ("example.com:8443", "example.com"), ("example.com:8443", ".example.com"), ("EXAMPLE.com", "example.com"),
    ("example.com", "EXAMPLE.COM"), ("badexample.com", ".example.com"), ("x", ""), ("", ""),
    ("example.com", "example.com:443"), ("example.com:443", "example.com:443"), ("a.b.example.com", ".example.com"),
    ("example.com.", "example.com"), ("user@example.com", "example.com"), ("example.com", "https://example.com"),
    ("example.com", "*"), ("sub.example.com", ".EXAMPLE.com"), ("xexample.com", "example.com"), ("[::1]", "[::1]"),
    ("[::1]:8000", "[::1]"), ("example.com", "."), (".example.com", ".example.com"),
]
out["isSameDomain"] = [{"host": h, "pattern": p, "result": is_same_domain(h, p)} for h, p in domain_cases]

# -- the decision matrix (process_request + process_view) --------------------------------------
SECRET = "k" * 32
COOKIE = masked(SECRET, "c" * 32)
TOKEN = masked(SECRET, "f" * 32)
OTHER = masked("o" * 32, "f" * 32)
rf = RequestFactory()


def view(request):
    return HttpResponse("ok")


def build(case):
    extra = {}
    for name, value in case.get("headers", {}).items():
        extra["HTTP_" + name.upper().replace("-", "_")] = value
    if case.get("cookie") is not None:
        extra["HTTP_COOKIE"] = case["cookie"]
    form = case.get("form")
    if form is not None:
        data = urlencode(form, doseq=True)
        ctype = "application/x-www-form-urlencoded"
    else:
        data = b""
        ctype = "application/octet-stream"
    return rf.generic(case["method"], "/form/", data, ctype, secure=case.get("secure", False), **extra)


def run(case):
    with override_settings(**case.get("settings", {})):
        request = build(case)
        if case.get("dontEnforce"):
            request._dont_enforce_csrf_checks = True
        callback = csrf_exempt(view) if case.get("exempt") else view
        mw = csrf.CsrfViewMiddleware(view)
        try:
            mw.process_request(request)
            response = mw.process_view(request, callback, (), {})
        except Exception as e:  # Django lets some failures through (e.g. urlparse's ValueError)
            return {"error": type(e).__name__}
        if response is None:
            return "ACCEPT"
        return response.content.decode()


H = {"X-CSRFToken": TOKEN}
cases = [
    {"label": "GET, no cookie", "method": "GET"},
    {"label": "HEAD, no cookie", "method": "HEAD"},
    {"label": "OPTIONS, no cookie", "method": "OPTIONS"},
    {"label": "TRACE, no cookie", "method": "TRACE"},
    {"label": "POST, no cookie", "method": "POST", "form": {}},
    {"label": "POST, no cookie, good token", "method": "POST", "form": {"csrfmiddlewaretoken": TOKEN}},
    {"label": "POST, cookie, no token", "method": "POST", "form": {}, "cookie": "csrftoken=" + COOKIE},
    {"label": "POST, cookie + field", "method": "POST", "form": {"csrfmiddlewaretoken": TOKEN},
     "cookie": "csrftoken=" + COOKIE},
    {"label": "POST, cookie + header", "method": "POST", "form": {}, "cookie": "csrftoken=" + COOKIE, "headers": H},
    {"label": "POST, cookie + header with the raw 32-char secret", "method": "POST", "form": {},
     "cookie": "csrftoken=" + COOKIE, "headers": {"X-CSRFToken": SECRET}},
    {"label": "POST, 32-char legacy cookie + masked field", "method": "POST", "form": {"csrfmiddlewaretoken": TOKEN},
     "cookie": "csrftoken=" + SECRET},
    {"label": "POST, cookie + the cookie's own value as field", "method": "POST",
     "form": {"csrfmiddlewaretoken": COOKIE}, "cookie": "csrftoken=" + COOKIE},
    {"label": "POST, cookie + wrong secret", "method": "POST", "form": {"csrfmiddlewaretoken": OTHER},
     "cookie": "csrftoken=" + COOKIE},
    {"label": "POST, field wrong but header right (field wins)", "method": "POST",
     "form": {"csrfmiddlewaretoken": "x" * 64}, "cookie": "csrftoken=" + COOKIE, "headers": H},
    {"label": "POST, empty field falls back to the header", "method": "POST", "form": {"csrfmiddlewaretoken": ""},
     "cookie": "csrftoken=" + COOKIE, "headers": H},
    {"label": "POST, two fields: the last one counts (right last)", "method": "POST",
     "form": {"csrfmiddlewaretoken": [OTHER, TOKEN]}, "cookie": "csrftoken=" + COOKIE},
    {"label": "POST, two fields: the last one counts (wrong last)", "method": "POST",
     "form": {"csrfmiddlewaretoken": [TOKEN, OTHER]}, "cookie": "csrftoken=" + COOKIE},
    {"label": "POST, malformed field", "method": "POST", "form": {"csrfmiddlewaretoken": "bad-token!"},
     "cookie": "csrftoken=" + COOKIE},
    {"label": "POST, invalid cookie", "method": "POST", "form": {"csrfmiddlewaretoken": TOKEN},
     "cookie": "csrftoken=bad!cookie"},
    {"label": "POST, empty cookie", "method": "POST", "form": {"csrfmiddlewaretoken": TOKEN}, "cookie": "csrftoken="},
    {"label": "POST, cookie of another name", "method": "POST", "form": {"csrfmiddlewaretoken": TOKEN},
     "cookie": "othertoken=" + COOKIE},
    {"label": "POST, token in a JSON body is not read", "method": "POST", "cookie": "csrftoken=" + COOKIE},
    {"label": "PUT, cookie + header", "method": "PUT", "cookie": "csrftoken=" + COOKIE, "headers": H},
    {"label": "PATCH, cookie + header", "method": "PATCH", "cookie": "csrftoken=" + COOKIE, "headers": H},
    {"label": "DELETE, cookie + header", "method": "DELETE", "cookie": "csrftoken=" + COOKIE, "headers": H},
    {"label": "PUT, cookie + form field only (not read)", "method": "PUT", "form": {"csrfmiddlewaretoken": TOKEN},
     "cookie": "csrftoken=" + COOKIE},
    {"label": "DELETE, no cookie", "method": "DELETE", "headers": H},
    {"label": "custom method, cookie + header", "method": "PURGE", "cookie": "csrftoken=" + COOKIE, "headers": H},
    {"label": "POST to a csrf_exempt view, no cookie", "method": "POST", "form": {}, "exempt": True},
    {"label": "POST with _dont_enforce_csrf_checks", "method": "POST", "form": {}, "dontEnforce": True},
    {"label": "POST, custom CSRF_COOKIE_NAME", "method": "POST", "form": {"csrfmiddlewaretoken": TOKEN},
     "cookie": "mytoken=" + COOKIE, "settings": {"CSRF_COOKIE_NAME": "mytoken"}},
    {"label": "POST, custom CSRF_HEADER_NAME", "method": "POST", "form": {}, "cookie": "csrftoken=" + COOKIE,
     "headers": {"X-XSRF-TOKEN": TOKEN}, "settings": {"CSRF_HEADER_NAME": "HTTP_X_XSRF_TOKEN"}},
    {"label": "POST, default header ignored with a custom CSRF_HEADER_NAME", "method": "POST", "form": {},
     "cookie": "csrftoken=" + COOKIE, "headers": H, "settings": {"CSRF_HEADER_NAME": "HTTP_X_XSRF_TOKEN"}},
]
S = {"cookie": "csrftoken=" + COOKIE, "headers": dict(H), "secure": True, "method": "POST", "form": {}}


def https(label, referer=None, host=None, settings_=None):
    headers = dict(H)
    if referer is not None:
        headers["Referer"] = referer
    if host is not None:
        headers["Host"] = host
    case = dict(S, label=label, headers=headers)
    if settings_:
        case["settings"] = settings_
    return case


cases += [
    https("HTTPS, no Referer"),
    https("HTTPS, Referer 'example'", "example"),
    https("HTTPS, empty Referer", ""),
    https("HTTPS, Referer without scheme", "//testserver/form"),
    https("HTTPS, Referer without netloc", "https:///form"),
    https("HTTPS, http:// Referer", "http://testserver/"),
    https("HTTPS, ftp:// Referer", "ftp://testserver/"),
    https("HTTPS, HTTPS:// (upper case) same host", "HTTPS://testserver/form"),
    https("HTTPS, other host", "https://evil.com/x?y"),
    https("HTTPS, other host, message shows geturl()", "https://evil.com/a;b?c#d"),
    https("HTTPS, other host, empty query dropped by geturl()", "https://evil.com/x?"),
    https("HTTPS, other host, empty fragment dropped by geturl()", "https://evil.com/x#"),
    https("HTTPS, other host, empty params dropped by geturl()", "https://evil.com/x;"),
    https("HTTPS, other host, host upper case kept", "https://EVIL.com/X"),
    https("HTTPS, same host", "https://testserver/form"),
    https("HTTPS, same host with :443 (port differs from Host)", "https://testserver:443/form"),
    https("HTTPS, same host upper case (pattern lower-cased, netloc not)", "https://TESTSERVER/form"),
    https("HTTPS, same host with userinfo", "https://user@testserver/form"),
    https("HTTPS, Referer testserver:8443", "https://testserver:8443/"),
    https("HTTPS, Host header with port, Referer same", "https://good.test:8443/x", host="good.test:8443"),
    https("HTTPS, Host header with port, Referer without port", "https://good.test/x", host="good.test:8443"),
    https("HTTPS, disallowed Host, Referer matches it", "https://evil.org/", host="evil.org"),
    https("HTTPS, disallowed Host, trusted origin matches", "https://trusted.org/", host="evil.org",
          settings_={"CSRF_TRUSTED_ORIGINS": ["trusted.org"]}),
    https("HTTPS, Referer sub.example.com, TRUSTED .example.com", "https://sub.example.com/",
          settings_={"CSRF_TRUSTED_ORIGINS": [".example.com"]}),
    https("HTTPS, Referer example.com, TRUSTED .example.com", "https://example.com/",
          settings_={"CSRF_TRUSTED_ORIGINS": [".example.com"]}),
    https("HTTPS, Referer badexample.com, TRUSTED .example.com", "https://badexample.com/",
          settings_={"CSRF_TRUSTED_ORIGINS": [".example.com"]}),
    https("HTTPS, TRUSTED with port, Referer with that port", "https://example.com:8443/",
          settings_={"CSRF_TRUSTED_ORIGINS": ["example.com:8443"]}),
    https("HTTPS, TRUSTED with port, Referer without port", "https://example.com/",
          settings_={"CSRF_TRUSTED_ORIGINS": ["example.com:8443"]}),
    https("HTTPS, TRUSTED 'https://example.com' (4.0 form) never matches", "https://example.com/",
          settings_={"CSRF_TRUSTED_ORIGINS": ["https://example.com"]}),
    https("HTTPS, TRUSTED upper case", "https://example.com/", settings_={"CSRF_TRUSTED_ORIGINS": ["EXAMPLE.COM"]}),
    https("HTTPS, Host a.example.com, Referer b.example.com, COOKIE_DOMAIN", "https://b.example.com/",
          host="a.example.com", settings_={"CSRF_COOKIE_DOMAIN": ".example.com"}),
    https("HTTPS, COOKIE_DOMAIN, Referer elsewhere", "https://evil.com/", host="a.example.com",
          settings_={"CSRF_COOKIE_DOMAIN": ".example.com"}),
    https("HTTPS, COOKIE_DOMAIN replaces the host check", "https://testserver/",
          settings_={"CSRF_COOKIE_DOMAIN": ".example.com"}),
    https("HTTPS, COOKIE_DOMAIN on port 8443 needs the port", "https://b.example.com/", host="a.example.com:8443",
          settings_={"CSRF_COOKIE_DOMAIN": ".example.com"}),
    https("HTTPS, Referer is checked before the cookie", "https://evil.com/",
          settings_={"CSRF_COOKIE_NAME": "absent"}),
    dict(https("HTTPS, good Referer, bad token", "https://testserver/"), headers={
        "Referer": "https://testserver/", "X-CSRFToken": OTHER}),
    dict(https("HTTPS, good Referer, no cookie", "https://testserver/"), cookie=None),
    dict(https("HTTPS GET, no Referer: not checked"), method="GET"),
    dict(https("HTTPS PUT, same host", "https://testserver/"), method="PUT", form=None),
    dict(https("HTTPS, Referer IPv6 literal unbalanced", "https://[::1/"), label="HTTPS, unbalanced IPv6 Referer"),
    dict(https("HTTP behind a proxy header, secure", "http://testserver/"),
         headers={"Referer": "http://testserver/", "X-CSRFToken": TOKEN, "X-Forwarded-Proto": "https"},
         secure=False, settings={"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}),
]
for case in cases:
    case["result"] = run(case)
    if "settings" in case and "SECURE_PROXY_SSL_HEADER" in case["settings"]:
        case["settings"]["SECURE_PROXY_SSL_HEADER"] = list(case["settings"]["SECURE_PROXY_SSL_HEADER"])
out["matrix"] = {"settings": {"ALLOWED_HOSTS": BASE_SETTINGS["ALLOWED_HOSTS"]}, "cookie": COOKIE, "token": TOKEN,
                 "cases": cases}


# -- process_response ----------------------------------------------------------------------------
def cookies_of(response):
    return [m.OutputString() for m in response.cookies.values()]


def respond(label, cookie=None, action=None, settings_=None, method="GET", form=None):
    with override_settings(**(settings_ or {})), mock.patch("time.time", return_value=float(NOW)):
        case = {"method": method, "cookie": cookie, "form": form}
        request = build(case)
        masks = ["T" * 32, "U" * 32, "V" * 32, "W" * 32]
        with fixed_strings(*masks):
            mw = csrf.CsrfViewMiddleware(view)
            mw.process_request(request)
            rejected = mw.process_view(request, view, (), {})
            token = None
            if action == "get_token":
                token = csrf.get_token(request)
            elif action == "rotate":
                csrf.rotate_token(request)
            elif action == "get_token_twice":
                token = [csrf.get_token(request), csrf.get_token(request)]
            response = mw.process_response(request, rejected or HttpResponse("ok"))
    return {
        "label": label, "cookie": cookie, "action": action, "settings": settings_ or {}, "method": method,
        "form": form, "masks": masks, "status": response.status_code, "setCookie": cookies_of(response),
        "vary": response.get("Vary"), "token": token, "needsReset": getattr(request, "csrf_cookie_needs_reset", False),
    }


out["response"] = [
    respond("GET, token not asked for: no cookie"),
    respond("GET, get_token without cookie: new cookie", action="get_token"),
    respond("GET, get_token twice: two maskings, one cookie", action="get_token_twice"),
    respond("GET, valid cookie, get_token: same cookie resent", cookie="csrftoken=" + COOKIE, action="get_token"),
    respond("GET, legacy 32-char cookie, get_token: masked and resent", cookie="csrftoken=" + SECRET,
            action="get_token"),
    respond("GET, invalid cookie, token not asked for: no cookie (V42)", cookie="csrftoken=bad!cookie"),
    respond("GET, invalid cookie, get_token: replaced", cookie="csrftoken=bad!cookie", action="get_token"),
    respond("GET, rotate_token: new cookie", cookie="csrftoken=" + COOKIE, action="rotate"),
    respond("POST rejected: the 403 gets no cookie", method="POST", form={}),
    respond("GET, get_token, every cookie setting", action="get_token", settings_={
        "CSRF_COOKIE_NAME": "xsrf", "CSRF_COOKIE_AGE": 60, "CSRF_COOKIE_DOMAIN": ".example.com",
        "CSRF_COOKIE_PATH": "/app/", "CSRF_COOKIE_SECURE": True, "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Strict"}),
    respond("GET, get_token, CSRF_COOKIE_AGE None: session cookie", action="get_token",
            settings_={"CSRF_COOKIE_AGE": None}),
    respond("GET, get_token, CSRF_COOKIE_SAMESITE None: no attribute", action="get_token",
            settings_={"CSRF_COOKIE_SAMESITE": None}),
    respond("GET, get_token, CSRF_COOKIE_SAMESITE 'None'", action="get_token",
            settings_={"CSRF_COOKIE_SAMESITE": "None", "CSRF_COOKIE_SECURE": True}),
]

# get_token on a request without cookie (V39)
request = rf.get("/")
with fixed_strings("SECRETsecretSECRETsecretSECRETse", "A" * 32, "B" * 32):
    token = csrf.get_token(request)
out["getToken"] = {"secret": "SECRETsecretSECRETsecretSECRETse", "masks": ["A" * 32, "B" * 32],
                   "cookie": request.META["CSRF_COOKIE"], "token": token}


# -- decorators (V70) -----------------------------------------------------------------------------
def decorated(label, decorator, method, cookie=None, form=None, headers=None):
    with mock.patch("time.time", return_value=float(NOW)):
        request = build({"method": method, "cookie": cookie, "form": form, "headers": headers or {}})
        with fixed_strings("G" * 32, "H" * 32, "I" * 32):
            response = decorator(view)(request)
    return {"label": label, "decorator": decorator.__name__, "method": method, "cookie": cookie, "form": form,
            "headers": headers or {}, "status": response.status_code, "body": response.content.decode(),
            "setCookie": cookies_of(response), "masks": ["G" * 32, "H" * 32, "I" * 32]}


out["decorators"] = [
    decorated("csrf_protect rejects a POST without cookie", csrf_protect, "POST", form={}),
    decorated("csrf_protect accepts a POST with cookie and field", csrf_protect, "POST",
              cookie="csrftoken=" + COOKIE, form={"csrfmiddlewaretoken": TOKEN}),
    decorated("requires_csrf_token never rejects", requires_csrf_token, "POST", form={}),
    decorated("ensure_csrf_cookie sets the cookie on GET", ensure_csrf_cookie, "GET"),
    decorated("ensure_csrf_cookie resends a valid cookie", ensure_csrf_cookie, "GET", cookie="csrftoken=" + COOKIE),
    decorated("ensure_csrf_cookie does not reject a bad POST", ensure_csrf_cookie, "POST", form={}),
]

# -- the default failure view (V44) ----------------------------------------------------------------
from django.views.csrf import csrf_failure  # noqa: E402
out["failureView"] = []
for debug in (False, True):
    with override_settings(DEBUG=debug):
        r = csrf_failure(rf.post("/"), reason=csrf.REASON_NO_CSRF_COOKIE)
        body = r.content.decode()
        out["failureView"].append({
            "debug": debug, "status": r.status_code, "contentType": r["Content-Type"],
            "showsReason": csrf.REASON_NO_CSRF_COOKIE in body,
            "lines": [line.strip() for line in body.splitlines() if "<h1>" in line or "CSRF verification" in line][:2],
        })

# {% csrf_token %}
from django.template import engines  # noqa: E402
request = rf.get("/")
with fixed_strings("C" * 32, "D" * 32, "E" * 32):
    tok = csrf.get_token(request)
out["csrfTokenTag"] = {"token": tok,
                       "html": engines["django"].from_string("{% csrf_token %}").render({"csrf_token": tok})}

with open(OUT, "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", os.path.normpath(OUT), len(out["matrix"]["cases"]), "matrix cases")
