"""Fixtures for HttpRequest: Django 3.2's answers for paths, hosts, schemes,
absolute URIs, cookie parsing, META/header naming and Content-Type parsing.

Run: /usr/bin/python3 scripts/django/request.py  (writes test/fixtures/request.json)
Deterministic: fixed seed, no clock.
"""
import io
import json
import os
import random
import sys
from urllib.parse import unquote_to_bytes

import django
from django.conf import settings

settings.configure(
    ALLOWED_HOSTS=["testserver"],
    DEBUG=False,
    SECRET_KEY="fixture",
    DEFAULT_CHARSET="utf-8",
)
django.setup()

from django.core.exceptions import DisallowedHost  # noqa: E402
from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from django.http.cookie import parse_cookie  # noqa: E402
from django.http.request import HttpHeaders  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
import cgi  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "request.json")
rng = random.Random(20260323)


def environ(**kw):
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
    }
    env.update(kw)
    return env


def raw_path_to_wsgi(raw):
    """What a WSGI server puts in PATH_INFO for the raw (percent-encoded) URL path."""
    return unquote_to_bytes(raw).decode("iso-8859-1")


# ---------------------------------------------------------------------------
# Paths, script names, full paths
# ---------------------------------------------------------------------------
path_cases = []
raw_paths = ["/", "", "/a/b/", "/caf%C3%A9/", "/caf%E9/", "/sl%20ash/x", "/%E2%82%AC?", "/a;b/c",
             "/~user/$1,2+3&x=y'(*)!", "/%F0%9F%90%8D", "/%ED%A0%80x", "/%C3", "/a%2Fb", "//double", "/ü"]
scripts = [None, "", "/mst", "/mst/", "/%E2%82%AC"]
queries = ["", "a=1&b=2", "q=caf%C3%A9", "x=ü&y=€", "a=1;b=2", "f=%20+x", "k=[1]#frag"]
for raw in raw_paths:
    for script in scripts:
        for q in (queries if script is None else queries[:2]):
            for force in (None, "/forced", ""):
                if force is not None and (script not in (None, "/mst") or q not in ("", "a=1&b=2")):
                    continue
                # QUERY_STRING is not unquoted by the server: raw bytes, decoded as latin-1 (PEP 3333).
                qs_env = q.encode("utf-8").decode("iso-8859-1")
                env = environ(QUERY_STRING=qs_env)
                if raw != "":
                    env["PATH_INFO"] = raw_path_to_wsgi(raw) if raw != "/ü" else "/ü".encode().decode("iso-8859-1")
                else:
                    env.pop("PATH_INFO")
                if script is not None:
                    env["SCRIPT_NAME"] = raw_path_to_wsgi(script)
                with override_settings(FORCE_SCRIPT_NAME=force):
                    r = WSGIRequest(env)
                    path_cases.append({
                        "rawPath": raw if raw != "/ü" else "/%C3%BC",
                        "scriptName": script,
                        "queryString": qs_env,
                        "forceScriptName": force,
                        "path": r.path,
                        "pathInfo": r.path_info,
                        "scriptNameOut": r.META["SCRIPT_NAME"],
                        "fullPath": r.get_full_path(),
                        "fullPathSlash": r.get_full_path(force_append_slash=True),
                        "fullPathInfo": r.get_full_path_info(),
                        "repr": repr(r),
                    })

# SCRIPT_URL / REDIRECT_URL (mod_rewrite), as in test_wsgirequest_script_url_double_slashes
script_url_cases = []
for script_url, redirect_url, path_info in [
    ("/mst/milestones//accounts/login//help", None, "/milestones/accounts/login/help"),
    ("/mst/milestones/accounts/login/help", None, "/milestones/accounts/login/help"),
    (None, "/prefix/x/y", "/x/y"),
    ("/prefix/x/y", "/other/x/y", "/x/y"),
    ("/only", None, ""),
]:
    env = environ(PATH_INFO=path_info)
    if script_url is not None:
        env["SCRIPT_URL"] = script_url
    if redirect_url is not None:
        env["REDIRECT_URL"] = redirect_url
    if path_info == "":
        env.pop("PATH_INFO")
    r = WSGIRequest(env)
    script_url_cases.append({"scriptUrl": script_url, "redirectUrl": redirect_url, "pathInfo": path_info,
                             "path": r.path, "pathInfoOut": r.path_info, "scriptName": r.META["SCRIPT_NAME"]})

# ---------------------------------------------------------------------------
# Hosts, ports, schemes
# ---------------------------------------------------------------------------
host_settings = [
    {"ALLOWED_HOSTS": [], "DEBUG": False},
    {"ALLOWED_HOSTS": [], "DEBUG": True},
    {"ALLOWED_HOSTS": ["*"], "DEBUG": False},
    {"ALLOWED_HOSTS": ["example.com", ".sub.example.org", "12.34.56.78", "[2001:19f0:feee::dead:beef:cafe]",
                       "xn--4ca9at.com", "Mixed.Case", ".multitenant.com", "anything.multitenant.com"],
     "DEBUG": False},
    {"ALLOWED_HOSTS": ["example.com"], "DEBUG": True, "USE_X_FORWARDED_HOST": True},
    {"ALLOWED_HOSTS": ["*"], "USE_X_FORWARDED_PORT": True},
    {"ALLOWED_HOSTS": ["*"], "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
    {"ALLOWED_HOSTS": ["*"], "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
     "USE_X_FORWARDED_HOST": True, "USE_X_FORWARDED_PORT": True},
]
hosts = [
    None, "example.com", "example.com:80", "EXAMPLE.com.", "example.com.:8080", "forward.com", "sub.example.org",
    "x.sub.example.org", "xsub.example.org", "12.34.56.78", "12.34.56.78:443", "[2001:19f0:feee::dead:beef:cafe]",
    "[2001:19f0:feee::dead:beef:cafe]:8080", "xn--4ca9at.com", "mixed.case", "anything.multitenant.com",
    "multitenant.com", "localhost", "localhost:8000", "sub.localhost", "127.0.0.1", "[::1]", "[::1]:80",
    "example.com@evil.tld", "example.com:dr.frankenstein@evil.tld", "example.com:dr.frankenstein@evil.tld:80",
    "example.com:80/badpath", "example.com: recovermypassword.com", "other.com", "", "evil.com'", 'evil"com',
    "ex\u00e1mple.com", "example.com:99999", "example.com\n", "-.-", "[fe80::1", "exa mple.com", "example.com:٣",
    "a" * 70 + ".com", "host'with\"both", "tab\there", "\x7f.com",
]
extra_meta = [
    {},
    {"HTTP_X_FORWARDED_HOST": "forward.com:8080"},
    {"HTTP_X_FORWARDED_PORT": "8080"},
    {"HTTP_X_FORWARDED_PROTO": "https"},
    {"HTTP_X_FORWARDED_PROTO": "HTTPS"},
    {"HTTP_X_FORWARDED_PROTO": "https, http"},
    {"HTTP_X_FORWARDED_PROTO": "http", "wsgi.url_scheme": "https", "SERVER_PORT": "443"},
    {"wsgi.url_scheme": "https", "SERVER_PORT": "443"},
    {"wsgi.url_scheme": "https", "SERVER_PORT": "8443", "SERVER_NAME": "internal"},
]


def outcome(fn):
    try:
        return {"ok": fn()}
    except DisallowedHost as e:
        return {"error": str(e)}


host_cases = []
for s in host_settings:
    for h in hosts:
        for extra in extra_meta:
            if h not in (None, "example.com", "forward.com") and extra not in (extra_meta[0],):
                continue
            env = environ(**extra)
            if h is not None:
                env["HTTP_HOST"] = h
            full = {"USE_X_FORWARDED_HOST": False, "USE_X_FORWARDED_PORT": False, "SECURE_PROXY_SSL_HEADER": None}
            full.update(s)
            with override_settings(**full):
                r = WSGIRequest(env)
                host_cases.append({
                    "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in full.items()},
                    "host": h,
                    "meta": {k: v for k, v in extra.items()},
                    "getHost": outcome(r.get_host),
                    "getPort": r.get_port(),
                    "scheme": r.scheme,
                    "isSecure": r.is_secure(),
                })

# Generated hosts: agreement on get_host for random inputs.
alphabet = "abcXYZ019.-:[]_@/ '\"\\\t\n\u00e9\u0663\u2028\x00\x7f%#?"
gen_hosts = []
for i in range(400):
    n = rng.randint(0, 14)
    h = "".join(rng.choice(alphabet) for _ in range(n))
    if rng.random() < 0.3:
        h = rng.choice(["example.com", "a.example.com", "[::1]", "127.0.0.1", "localhost"]) + h[: rng.randint(0, 3)]
    allowed = rng.choice([["*"], [".example.com"], ["example.com"], [], ["a.b", ".c"]])
    debug = rng.random() < 0.3
    with override_settings(ALLOWED_HOSTS=allowed, DEBUG=debug):
        r = WSGIRequest(environ(HTTP_HOST=h))
        gen_hosts.append({"host": h, "allowed": allowed, "debug": debug, "getHost": outcome(r.get_host)})

# ---------------------------------------------------------------------------
# build_absolute_uri
# ---------------------------------------------------------------------------
locations = [None, "", "/", "/foo/", "/foo?x=1#f", "//foo/", "///foo/", "z", "../z", "./z", "z/../y", "?p=2",
             "#frag", "http://other.com/x", "https://other.com", "//other.com/x", "http:foo", "https:/x",
             "mailto:a@b.c", "/a/./b", "/a/../b", "/a/b/../../../c", "ftp://f.com/", "/caf\u00e9/?q=\u20ac",
             "z;p=1", "/x;p?q", ".", "..", "../..", "a/b/c/../", "  /lead", "\t/tab", "HTTP://UP.COM/X",
             "javascript:alert(1)", "/%7Euser", "//", "/?", "?", "http://", "x:y", "1x:y", "/a b", "./",
             "g?y/./x", "g#s/../x", ";x", "g;x?y#s", "//evil.com/../x"]
abs_cases = []
for path, qs, host, secure in [("/a/b/c", "", "example.com", False), ("/a/b/c", "x=1&y=%C3%A9", "example.com:8080", True),
                                ("/", "", "testserver", False), ("//evil/x/", "", "testserver", False),
                                ("/caf%C3%A9/", "q=\u00e9".encode().decode("iso-8859-1"), "testserver", False)]:
    for loc in locations:
        env = environ(PATH_INFO=raw_path_to_wsgi(path), QUERY_STRING=qs, HTTP_HOST=host)
        if secure:
            env["wsgi.url_scheme"] = "https"
        with override_settings(ALLOWED_HOSTS=["*"]):
            r = WSGIRequest(env)
            abs_cases.append({"rawPath": path, "queryString": qs, "host": host, "secure": secure, "location": loc,
                              "result": r.build_absolute_uri(loc)})

gen_locs = []
loc_alpha = "ab/.:?#;%@ \u00e9"
for i in range(300):
    loc = "".join(rng.choice(loc_alpha) for _ in range(rng.randint(0, 10)))
    env = environ(PATH_INFO="/p/q/r", HTTP_HOST="example.com")
    with override_settings(ALLOWED_HOSTS=["*"]):
        r = WSGIRequest(env)
        try:
            res = {"ok": r.build_absolute_uri(loc)}
        except ValueError as e:
            res = {"valueError": str(e)}
        gen_locs.append({"location": loc, "result": res})

# ---------------------------------------------------------------------------
# Cookies
# ---------------------------------------------------------------------------
cookie_inputs = [
    "", "a=b", "a=b; c=d", "a=b;c=d", "a=b; a=c", "keebler=\"E=mc2; L=\\\"Loves\\\"; fudge=\\012;\"",
    "key=\"\\101\\102\\103\"", "nokey", "=novalue", "a=", "  spaced key  =  spaced value  ", "a=b; ; ;c",
    "a=b;nokey;c=d", "a=\"quoted\"", "a=\"unterminated", "a=\"\\\"\"", "a=\"\\\"", "a=\"\"", "a=\"x\\\\y\"",
    "a=\"\\400\"", "a=\"\\777\"", "a=\"\\377\"", "a=\"\\12\"", "__proto__=x", "constructor=y; toString=z",
    "a=b\x0b; c=\x1cd\x1f", "a=\u00e9\u00a0", "\u00a0a=b", "csrftoken=abc; csrftoken=def",
    "key:term=value:term", "a=b=c", "a b=c", "a,b=c", "=", ";", "a=\"\\\n\"",
    "sessionid=1; path=/; HttpOnly", "\ufeffa=b",
]
cookie_alpha = "ab=;\" \\\t\n\x0b\x1c\x85\u00a0\u2028\ufeff0123467,"
for i in range(400):
    cookie_inputs.append("".join(rng.choice(cookie_alpha) for _ in range(rng.randint(0, 24))))
cookie_cases = [{"input": c, "output": list(parse_cookie(c).items())} for c in cookie_inputs]

# ---------------------------------------------------------------------------
# META and headers naming
# ---------------------------------------------------------------------------
header_names = ["HTTP_ACCEPT", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR", "CONTENT_TYPE", "CONTENT_LENGTH",
                "HTTP_SEC_CH_UA2X", "HTTP_X_1ST_THING", "HTTP_ÉTAT", "SERVER_NAME", "PATH_INFO", "HTTP_",
                "HTTP_DNT", "HTTP_X__DOUBLE"]
header_cases = [{"meta": n, "name": HttpHeaders.parse_header_name(n)} for n in header_names]

# ---------------------------------------------------------------------------
# Content-Type
# ---------------------------------------------------------------------------
ct_inputs = ["", "text/html", "Text/HTML; Charset=UTF-8", "multipart/form-data; boundary=\"a;b\"; x=1",
             "application/x-www-form-urlencoded; charset=latin-1", "a/b; q=\"x\\\"y\"; r=\"\\\\\"", "a/b;;c=d",
             "a/b; novalue; k = v ", "a/b; k=\"unterminated; j=2", "  spaced/type  ;k=v", "a/b; k=\"\"", "a/b; k=\"",
             "x; charset=nope-not-real", "x; charset=utf8", "x; charset=ISO-8859-1"]
ct_cases = []
for ct in ct_inputs:
    key, params = cgi.parse_header(ct)
    r = WSGIRequest(environ(CONTENT_TYPE=ct, REQUEST_METHOD="POST"))
    ct_cases.append({"input": ct, "type": key, "params": list(params.items()), "encoding": r.encoding})


# ---------------------------------------------------------------------------
# GET under encodings (charset in Content-Type, the encoding setter)
# ---------------------------------------------------------------------------
get_enc_cases = []
for qs in ["a=%C3%A9", "a=%E9", "name=Hello%20G%C3%BCnter", "x=1&x=2&y=%FF%FE", "k%C3%A9y=v+w", "a=\u00e9"]:
    for ct, setter in [(None, None), ("text/plain; charset=latin-1", None), ("text/plain; charset=utf-8", None),
                       ("text/plain; charset=bogus", None), (None, "iso-8859-1"), (None, "cp1252")]:
        env = environ(QUERY_STRING=qs.encode("utf-8").decode("iso-8859-1"))
        if ct is not None:
            env["CONTENT_TYPE"] = ct
        r = WSGIRequest(env)
        if setter is not None:
            r.encoding = setter
        get_enc_cases.append({"queryString": env["QUERY_STRING"], "contentType": ct, "setEncoding": setter,
                              "encoding": r.encoding, "GET": list(r.GET.lists())})

# ---------------------------------------------------------------------------
# django.test.RequestFactory: what it puts in META and the query string
# ---------------------------------------------------------------------------
from django.test import RequestFactory  # noqa: E402
rf = RequestFactory()
factory_cases = []
for path, data, secure in [("/x/", {"q": "caf\u00e9", "tag": ["a", "b"], "sp ace": "a&b=c/d"}, False),
                           ("/p%20q/?z=1", {}, True), ("/caf\u00e9/", {"e": "~!*()'"}, False)]:
    r = rf.get(path, data, secure=secure)
    factory_cases.append({"path": path, "query": data, "secure": secure,
                          "meta": {k: r.META[k] for k in ["PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT",
                                                           "REMOTE_ADDR", "SERVER_PROTOCOL", "REQUEST_METHOD"]},
                          "path_out": r.path, "scheme": r.scheme, "fullPath": r.get_full_path()})

# ---------------------------------------------------------------------------
# django.test.client.encode_multipart
# ---------------------------------------------------------------------------
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
multipart_cases = []
for data in [
    {"a": "1", "b": ["x", "y"], "caf\u00e9": "\u20ac"},
    {"f": SimpleUploadedFile("dir/report.txt", b"hello\r\nworld", content_type="text/plain"), "n": "v"},
    {"files": [SimpleUploadedFile("a.bin", b"\x00\x01", content_type="application/octet-stream"), "plain"]},
]:
    spec = {}
    for k, v in data.items():
        def enc(x):
            if hasattr(x, "read"):
                return {"name": x.name, "content": list(x.read()), "contentType": x.content_type}
            return x
        spec[k] = [enc(i) for i in v] if isinstance(v, list) else enc(v)
        for i in (v if isinstance(v, list) else [v]):
            if hasattr(i, "seek"):
                i.seek(0)
    multipart_cases.append({"data": spec, "body": list(encode_multipart(BOUNDARY, data))})

with open(OUT, "w") as f:
    json.dump({
        "paths": path_cases,
        "scriptUrls": script_url_cases,
        "hosts": host_cases,
        "generatedHosts": gen_hosts,
        "absoluteUris": abs_cases,
        "generatedLocations": gen_locs,
        "cookies": cookie_cases,
        "headerNames": header_cases,
        "contentTypes": ct_cases,
        "getEncodings": get_enc_cases,
        "factory": factory_cases,
        "multipart": {"boundary": BOUNDARY, "contentType": MULTIPART_CONTENT, "cases": multipart_cases},
    }, f, indent=1, ensure_ascii=True, sort_keys=False)
print("wrote", OUT, file=sys.stderr)
