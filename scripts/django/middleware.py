"""Fixtures for the standard middleware and utils.cache: what Django 3.2 answers.

Run with the Django 3.2 install: /usr/bin/python3 scripts/django/middleware.py
Writes test/fixtures/middleware.json. Deterministic: time.time() is fixed at T.
Each case records its inputs (requests as method, path, META, secure; responses as
kind, status, headers, cookies, body) and Django's output.
"""
import gzip
import itertools
import json
import os
import sys
import time
from unittest import mock

import django
from django.conf import settings

settings.configure(DEFAULT_CHARSET="utf-8", ALLOWED_HOSTS=["testserver", "example.com"], SECRET_KEY="x")
django.setup()

from django.http import HttpResponse, StreamingHttpResponse  # noqa: E402
from django.middleware.clickjacking import XFrameOptionsMiddleware  # noqa: E402
from django.middleware.gzip import GZipMiddleware  # noqa: E402
from django.middleware.http import ConditionalGetMiddleware  # noqa: E402
from django.middleware.security import SecurityMiddleware  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402
from django.utils import cache  # noqa: E402
from django.utils.http import http_date, parse_etags, parse_http_date_safe, quote_etag  # noqa: E402

T = 1700000000

rf = RequestFactory()


def request(spec):
    return rf.generic(spec["method"], spec["path"], secure=spec.get("secure", False), **spec.get("meta", {}))


def response(spec):
    if spec.get("kind") == "streaming":
        r = StreamingHttpResponse([c.encode("latin-1") for c in spec["chunks"]], status=spec.get("status", 200))
    else:
        r = HttpResponse(spec.get("body", "").encode("latin-1"), status=spec.get("status", 200))
    for k, v in spec.get("headers", []):
        r[k] = v
    for k, v in spec.get("cookies", []):
        r.set_cookie(k, v)
    return r


def describe(r):
    out = {
        "status": r.status_code,
        "headers": [[k, v] for k, v in r.items()],
        "cookies": [m.OutputString() for m in r.cookies.values()],
    }
    if r.streaming:
        out["body_hex"] = b"".join(r.streaming_content).hex()
    else:
        out["body_hex"] = r.content.hex()
    return out


out = {"django": django.get_version(), "T": T}

# -- ETags and dates ---------------------------------------------------------------------------

out["quote_etag"] = [[s, quote_etag(s)] for s in [
    "abc", '"abc"', 'W/"abc"', 'a"b', "", '""', 'w/"abc"', 'W/abc', ' "abc"', '"abc"\n', '"a,b"', "*",
]]
out["parse_etags"] = [[s, parse_etags(s)] for s in [
    '"a", W/"b" ,c, "d', " * ", "", "*", '"*"', '"a","b"', 'W/"a", w/"b"', '"a" , , "b"', '"a\tb"',
    ' "x"\t', '*, "a"', '"a"b"',
]]
out["set_response_etag"] = []
for body in [b"Hello, world!", "h\u00e9llo".encode(), b"", b"\x00\xff" * 10]:
    r = cache.set_response_etag(HttpResponse(body))
    out["set_response_etag"].append([body.hex(), r.get("ETag")])

with mock.patch("django.utils.http.datetime") as dt:
    import datetime as real_datetime
    dt.datetime.utcnow.return_value = real_datetime.datetime(2023, 11, 14)
    dt.datetime.side_effect = lambda *a, **k: real_datetime.datetime(*a, **k)
    out["parse_http_date"] = [[s, parse_http_date_safe(s)] for s in [
        "Tue, 14 Nov 2023 22:13:20 GMT", "Tuesday, 14-Nov-23 22:13:20 GMT", "Tue Nov 14 22:13:20 2023",
        "Tue Nov  4 22:13:20 2023", "Sunday, 06-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-73 08:49:37 GMT",
        "Sunday, 06-Nov-74 08:49:37 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Mon, 31 Feb 2000 00:00:00 GMT",
        "Tue, 29 Feb 2000 00:00:00 GMT", "Tue, 14 Nov 2023 24:00:00 GMT", "Tue, 14 Nov 2023 23:59:60 GMT",
        "tue, 14 nov 2023 22:13:20 GMT", "Tue, 14 Nov 2023 22:13:20 gmt", "Tue, 14 Foo 2023 22:13:20 GMT",
        "yesterday", "", "Tue, 14 Nov 2023 22:13:20 GMT ", " Tue, 14 Nov 2023 22:13:20 GMT",
        "Tue, 14 Nov 0001 00:00:00 GMT", "Tue, 14 Nov 0000 00:00:00 GMT", "Tue, 14 Nov 9999 23:59:59 GMT",
        "XYZ, 14 NOV 2023 22:13:20 GMT", "Tue, 4 Nov 2023 22:13:20 GMT",
    ]]

# -- Vary and Cache-Control ---------------------------------------------------------------------

VARY = [
    [None, [["Cookie"]]],
    [None, [["Cookie"], ["Accept-Encoding"], ["cookie"]]],
    ["Accept-Language", [["Cookie", "Accept-Language"]]],
    ["accept-encoding,  Cookie", [["Cookie", "User-Agent"]]],
    ["Cookie", [["*"]]],
    ["*", [["Cookie"]]],
    ["", [["Cookie"]]],
    ["Cookie ,Accept", [[]]],
    [None, [["A", "a", "B"]]],
    ["Cookie", [["Accept"], ["*"], ["X"]]],
    [" Cookie", [["cookie"]]],
]
out["vary"] = []
for initial, adds in VARY:
    r = HttpResponse()
    if initial is not None:
        r["Vary"] = initial
    for a in adds:
        cache.patch_vary_headers(r, a)
    out["vary"].append({"initial": initial, "adds": adds, "result": r.get("Vary"),
                        "has": {n: cache.has_vary_header(r, n) for n in ["cookie", "Accept-Encoding", "X-Nope"]}})

CC = [
    [None, [[["max_age", 3600], ["public", True]]]],
    [None, [[["max_age", 3600], ["public", True]], [["max_age", 60], ["private", True]]]],
    ['no-cache="Set-Cookie", Max-Age=10', [[["no_cache", "Set-Cookie-2"], ["s_maxage", 5]]]],
    ['no-cache="Set-Cookie", Max-Age=10', [[["no_cache", "Set-Cookie-2"], ["s_maxage", 5]], [["no_cache", True]]]],
    ["private", [[["public", True]]]],
    ["public", [[["private", True]]]],
    ["public, private", [[["private", True]]]],
    ["max-age=100", [[["max_age", 1000]]]],
    ["max-age=100", [[["max_age", 10]]]],
    ["max-age=100", [[["s_maxage", 10]]]],
    [None, [[["no_store", True], ["must_revalidate", True], ["no_transform", True]]]],
    [None, [[["max_age", 0]]]],
    [None, [[["stale_while_revalidate", 30], ["immutable", True]]]],
    ["no-cache", [[["no_cache", "X-Foo"]]]],
    ["NO-CACHE=a", [[["no_cache", "b"]]]],
    ["a=1, b, c=x=y", [[["d", True]]]],
    ["", [[["public", True]]]],
    [None, [[["public", False]]]],
    [None, [[["custom_thing", "v"]]]],
    ["Max-Age=5, PUBLIC", [[["max_age", 7]]]],
]
out["cache_control"] = []
for initial, patches in CC:
    r = HttpResponse()
    if initial is not None:
        r["Cache-Control"] = initial
    for p in patches:
        cache.patch_cache_control(r, **dict(p))
    value = r.get("Cache-Control")
    out["cache_control"].append({"initial": initial, "patches": patches, "result": value,
                                 "max_age": cache.get_max_age(r)})

with mock.patch("time.time", return_value=T):
    nc = []
    for initial in [[], [["Cache-Control", "max-age=3600, public"]], [["Expires", "never"]],
                    [["Cache-Control", "no-cache=Set-Cookie"]]]:
        r = HttpResponse()
        for k, v in initial:
            r[k] = v
        cache.add_never_cache_headers(r)
        nc.append({"initial": initial, "headers": [[k, v] for k, v in r.items()]})
    out["never_cache"] = nc
    prh = []
    for timeout in [600, 0, -5]:
        r = HttpResponse()
        cache.patch_response_headers(r, timeout)
        prh.append({"timeout": timeout, "headers": [[k, v] for k, v in r.items()]})
    out["patch_response_headers"] = prh

# -- get_conditional_response ------------------------------------------------------------------

LM = T
DATES = {
    "LM": http_date(LM), "LM+10": http_date(LM + 10), "LM-1": http_date(LM - 1), "bad": "yesterday",
    "epoch": http_date(0),
}
ETAGS = [None, '"abc"', 'W/"abc"']
CONDS = []
for method in ["GET", "HEAD", "POST", "PUT"]:
    for im in [None, '"abc"', '"zzz"', "*", 'W/"abc"', '"zzz", "abc"']:
        for ius in [None, "LM", "LM-1", "bad"]:
            for inm in [None, '"abc"', 'W/"abc"', "*", '"zzz"', 'garbage']:
                for ims in [None, "LM", "LM+10", "LM-1", "bad"]:
                    CONDS.append((method, im, ius, inm, ims))
# A manageable but broad sample: every value of each header, in many combinations.
CONDS = CONDS[::9]
cond = []
for etag in ETAGS:
    for last_modified in [None, LM, 0]:
        for method, im, ius, inm, ims in CONDS:
            meta = {}
            if im is not None:
                meta["HTTP_IF_MATCH"] = im
            if ius is not None:
                meta["HTTP_IF_UNMODIFIED_SINCE"] = DATES[ius]
            if inm is not None:
                meta["HTTP_IF_NONE_MATCH"] = inm
            if ims is not None:
                meta["HTTP_IF_MODIFIED_SINCE"] = DATES[ims]
            req = request({"method": method, "path": "/", "meta": meta})
            r = cache.get_conditional_response(req, etag=etag, last_modified=last_modified)
            # Compact: [method, META, etag, last_modified, status or None].
            cond.append([method, meta, etag, last_modified, None if r is None else r.status_code])
out["conditional"] = cond

# -- ConditionalGetMiddleware -------------------------------------------------------------------

HELLO_ETAG = '"6cd3556deb0da54bca060b4c39479839"'
CG_RESPONSES = [
    {"body": "Hello, world!", "headers": [["Cache-Control", "max-age=60"], ["X-Custom", "1"], ["Vary", "Cookie"],
                                          ["Content-Location", "/x"], ["Expires", "soon"], ["Date", "today"]],
     "cookies": [["a", "b"]]},
    {"body": "Hello, world!"},
    {"body": "Hello, world!", "headers": [["Cache-Control", "no-store"]]},
    {"body": "Hello, world!", "headers": [["Cache-Control", "private, No-Store"]]},
    {"body": "Hello, world!", "headers": [["ETag", '"custom"']]},
    {"body": "Hello, world!", "headers": [["Last-Modified", DATES["LM"]]]},
    {"body": "Hello, world!", "headers": [["Cache-Control", "no-store"], ["Last-Modified", DATES["LM"]]]},
    {"body": ""},
    {"body": "", "headers": [["Last-Modified", DATES["LM"]]]},
    {"body": "Hello, world!", "status": 404},
    {"body": "Hello, world!", "status": 201},
    {"body": "Hello, world!", "status": 302},
    {"kind": "streaming", "chunks": ["Hello, ", "world!"]},
    {"kind": "streaming", "chunks": ["Hello"], "headers": [["ETag", '"s"']]},
]
CG_REQUESTS = [
    {"method": "GET", "path": "/"},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_NONE_MATCH": HELLO_ETAG}},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_NONE_MATCH": "W/" + HELLO_ETAG}},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_NONE_MATCH": '"custom"'}},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_NONE_MATCH": '"s"'}},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_NONE_MATCH": "*"}},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_MODIFIED_SINCE": DATES["LM"]}},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_MODIFIED_SINCE": DATES["LM-1"]}},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_MATCH": '"nope"'}},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_MATCH": HELLO_ETAG}},
    {"method": "GET", "path": "/", "meta": {"HTTP_IF_UNMODIFIED_SINCE": DATES["LM-1"]}},
    {"method": "HEAD", "path": "/", "meta": {"HTTP_IF_NONE_MATCH": HELLO_ETAG}},
    {"method": "POST", "path": "/", "meta": {"HTTP_IF_NONE_MATCH": HELLO_ETAG}},
]
cg = []
mw = ConditionalGetMiddleware(lambda r: HttpResponse())
for req_spec, res_spec in itertools.product(CG_REQUESTS, CG_RESPONSES):
    r = mw.process_response(request(req_spec), response(res_spec))
    cg.append({"request": req_spec, "response": res_spec, "result": describe(r)})
out["conditional_get"] = cg

# -- GZipMiddleware ---------------------------------------------------------------------------

LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20
GZ_RESPONSES = [
    {"body": "short"},
    {"body": "a" * 199},
    {"body": "a" * 200},
    {"body": "a" * 300, "headers": [["ETag", '"abc"']]},
    {"body": "a" * 300, "headers": [["ETag", 'W/"abc"']]},
    {"body": LOREM, "headers": [["Vary", "Cookie"]]},
    {"body": LOREM, "headers": [["Content-Encoding", "br"]]},
    {"body": "".join(chr(i) for i in range(256))},
    {"body": "".join(chr((i * 7919) % 256) for i in range(400))},
    {"body": LOREM, "status": 404},
    {"kind": "streaming", "chunks": ["x" * 10], "headers": [["Content-Length", "10"]]},
    {"kind": "streaming", "chunks": [LOREM[:100], LOREM[100:600], "", LOREM[600:]], "headers": [["ETag", '"s"']]},
    {"kind": "streaming", "chunks": []},
]
AE = [None, "gzip, deflate", "x-gzip", "gzip;q=0", "deflate, br", "GZIP", "identity", "gzipped", "br,gzip"]
gz = []
mw = GZipMiddleware(lambda r: HttpResponse())
for ae, res_spec in itertools.product(AE, GZ_RESPONSES):
    meta = {} if ae is None else {"HTTP_ACCEPT_ENCODING": ae}
    r = mw.process_response(request({"method": "GET", "path": "/", "meta": meta}), response(res_spec))
    d = describe(r)
    if r.get("Content-Encoding") == "gzip":
        # The tests decompress and compare with the input; check here that Django's bytes decompress.
        gzip.decompress(bytes.fromhex(d["body_hex"]))
    gz.append({"accept_encoding": ae, "response": res_spec, "result": d})
out["gzip"] = gz

# -- SecurityMiddleware -----------------------------------------------------------------------

SEC_SETTINGS = [
    {},
    {"SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True,
     "SECURE_BROWSER_XSS_FILTER": True, "SECURE_REFERRER_POLICY": "no-referrer, strict-origin",
     "SECURE_SSL_REDIRECT": True, "SECURE_REDIRECT_EXEMPT": [r"^health/$", r"api/"]},
    {"SECURE_HSTS_SECONDS": 600, "SECURE_CONTENT_TYPE_NOSNIFF": False, "SECURE_REFERRER_POLICY": None},
    {"SECURE_HSTS_SECONDS": 600, "SECURE_HSTS_PRELOAD": True, "SECURE_REFERRER_POLICY": ["origin", " unsafe-url"]},
    {"SECURE_SSL_REDIRECT": True, "SECURE_SSL_HOST": "secure.example.com"},
    {"SECURE_SSL_REDIRECT": True, "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
    {"SECURE_REFERRER_POLICY": ""},
]
SEC_REQUESTS = [
    {"method": "GET", "path": "/"},
    {"method": "GET", "path": "/", "secure": True},
    {"method": "GET", "path": "/a b?q=1&r=%C3%A9"},
    {"method": "POST", "path": "/form/"},
    {"method": "GET", "path": "/health/"},
    {"method": "GET", "path": "/health/x"},
    {"method": "GET", "path": "/v1/api/x"},
    {"method": "GET", "path": "/", "meta": {"HTTP_HOST": "example.com:8443"}},
    {"method": "GET", "path": "/", "meta": {"HTTP_X_FORWARDED_PROTO": "https"}},
    {"method": "GET", "path": "/", "meta": {"HTTP_HOST": "evil.com"}},
]
SEC_RESPONSES = [
    {"body": "ok"},
    {"body": "ok", "headers": [["Strict-Transport-Security", "max-age=1"], ["X-Content-Type-Options", "custom"],
                               ["Referrer-Policy", "origin"], ["X-XSS-Protection", "0"]]},
]
sec = []
for s in SEC_SETTINGS:
    with override_settings(**s):
        mw = SecurityMiddleware(lambda r: HttpResponse())
        for req_spec in SEC_REQUESTS:
            for res_spec in SEC_RESPONSES:
                req = request(req_spec)
                try:
                    early = mw.process_request(req)
                    r = early if early is not None else response(res_spec)
                    r = mw.process_response(req, r)
                    result = describe(r)
                except Exception as e:  # DisallowedHost
                    result = {"error": type(e).__name__}
                sec.append({"settings": {k: list(v) if isinstance(v, tuple) else v for k, v in s.items()},
                            "request": req_spec, "response": res_spec, "result": result})
out["security"] = sec

# -- XFrameOptionsMiddleware ------------------------------------------------------------------

xf = []
for setting in [None, "sameorigin", "DENY", "allow-from https://x"]:
    ctx = override_settings(X_FRAME_OPTIONS=setting) if setting is not None else override_settings()
    with ctx:
        mw = XFrameOptionsMiddleware(lambda r: HttpResponse())
        for res_spec, exempt in [({"body": ""}, False), ({"body": "", "headers": [["X-Frame-Options", "ALLOWALL"]]}, False),
                                 ({"body": ""}, True)]:
            r = response(res_spec)
            if exempt:
                r.xframe_options_exempt = True
            r = mw.process_response(request({"method": "GET", "path": "/"}), r)
            xf.append({"setting": setting, "response": res_spec, "exempt": exempt, "value": r.get("X-Frame-Options")})
out["xframe"] = xf

# -- django.views.static.serve ----------------------------------------------------------------

import mimetypes  # noqa: E402
import tempfile  # noqa: E402

from django.views.static import serve  # noqa: E402

mimetypes.knownfiles = []
mimetypes.init()

STATIC_FILES = {
    "style.css": "body { color: red }\n" * 20,
    "app.js": "console.log(1)\n" * 30,
    "archive.tar.gz": "not really gzip",
    "data.unknownext": "?",
    "sub/page.html": "<p>hi</p>",
    "caf\u00e9 menu.txt": "menu",
}
STATIC_REQUESTS = [
    ["style.css", {}],
    ["app.js", {}],
    ["archive.tar.gz", {}],
    ["data.unknownext", {}],
    ["sub/page.html", {}],
    ["sub/../style.css", {}],
    ["./sub//page.html", {}],
    ["caf\u00e9 menu.txt", {}],
    ["style.css", {"HTTP_IF_MODIFIED_SINCE": http_date(T)}],
    ["style.css", {"HTTP_IF_MODIFIED_SINCE": http_date(T - 1)}],
    ["style.css", {"HTTP_IF_MODIFIED_SINCE": http_date(T + 100)}],
    ["style.css", {"HTTP_IF_MODIFIED_SINCE": "garbage"}],
    ["sub", {}],
    ["sub/", {}],
    ["nope.css", {}],
    ["../outside.txt", {}],
    ["sub/../../outside.txt", {}],
    ["/etc/passwd", {}],
]
with tempfile.TemporaryDirectory() as base:
    root = os.path.join(base, "static")
    for name, text in STATIC_FILES.items():
        full = os.path.join(root, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
        os.utime(full, (T, T))
    static_cases = []
    for rel, meta in STATIC_REQUESTS:
        req = request({"method": "GET", "path": "/static/x", "meta": meta})
        try:
            r = serve(req, rel, document_root=root)
            result = {"status": r.status_code, "headers": [[k, v] for k, v in r.items()]}
            if r.streaming:
                r.close()
        except Exception as e:  # Http404, SuspiciousFileOperation
            result = {"error": type(e).__name__, "message": str(e).replace(os.path.realpath(base), "<base>").replace(base, "<base>")}
        static_cases.append({"path": rel, "meta": meta, "result": result})
    out["static_files"] = STATIC_FILES
    out["static"] = static_cases

path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "middleware.json")
with open(path, "w") as f:
    json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
    f.write("\n")
print("wrote", os.path.normpath(path), "with", sum(len(v) for v in out.values() if isinstance(v, list)), "cases")
