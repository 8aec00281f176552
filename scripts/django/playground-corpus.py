#!/usr/bin/env python3
"""Writes test/fixtures/playground-corpus.json: the requests the playground differential test
replays against the example site and its Django twin (scripts/django/playground/).

Deterministic: signed cookies are made with Django's own signer at fixed times, with the
playground's development key; the servers run with PLAYGROUND_FIXED_TIME=T0.

    /usr/bin/python3 scripts/django/playground-corpus.py
"""
import base64
import json
import os
import sys
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "playground"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
os.environ.pop("PLAYGROUND_FIXED_TIME", None)
os.environ.pop("SECRET_KEY", None)

import django  # noqa: E402

django.setup()

from django.core import signing  # noqa: E402
from playground.settings import DEV_SECRET_KEY  # noqa: E402

T0 = 1700000000
HOST = "localhost:8000"

PROFILES = {
    # playground.md's defaults.
    "default": {},
    # Small limits, so that the limit cases stay small.
    "limits": {
        "DATA_UPLOAD_MAX_MEMORY_SIZE": "1000",
        "DATA_UPLOAD_MAX_NUMBER_FIELDS": "5",
        "DATA_UPLOAD_MAX_NUMBER_FILES": "2",
        "FILE_UPLOAD_MAX_MEMORY_SIZE": "100",
    },
    # Behind a proxy.
    "proxy": {
        "ALLOWED_HOSTS": "localhost,.example.com,example.org",
        "USE_X_FORWARDED_HOST": "1",
        "USE_X_FORWARDED_PORT": "1",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    },
    # DEBUG with an empty ALLOWED_HOSTS: only the localhost variants pass.
    "debug": {"DEBUG": "1", "ALLOWED_HOSTS": ""},
    # Part 2: the session engines (each server gets a fresh SQLite file as DATABASE_URL).
    "sessions-db": {"SESSION_ENGINE": "db"},
    "sessions-signed": {"SESSION_ENGINE": "signed_cookies"},
    # Django's local-memory cache; the example site keeps cache sessions in its own memory too.
    "sessions-cache": {"SESSION_ENGINE": "cache"},
    # Part 2: cookie settings changed from Django's defaults.
    "sessions-options": {
        "SESSION_ENGINE": "signed_cookies",
        "SESSION_COOKIE_NAME": "sid",
        "SESSION_COOKIE_AGE": "600",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": "1",
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_PATH": "/",
        "CSRF_COOKIE_NAME": "xsrf",
        "CSRF_COOKIE_HTTPONLY": "1",
        "CSRF_HEADER_NAME": "HTTP_X_XSRF_TOKEN",
    },
}

cases = []


def case(name, path, method="GET", headers=None, body=None, profile="default", compare="all", note=None,
         divergence=None):
    hs = [["Host", HOST]] if not any(h[0].lower() == "host" for h in (headers or [])) else []
    hs += [list(h) for h in (headers or [])]
    c = {"name": name, "profile": profile, "method": method, "path": path, "headers": hs}
    if body is not None:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        c["bodyBase64"] = base64.b64encode(raw).decode("ascii")
    if compare != "all":
        c["compare"] = compare
    if note:
        c["note"] = note
    if divergence:
        # A deliberate, documented difference: the example site answers with this status, and
        # why. Either Node's HTTP parser answers the request itself before any app code runs, or
        # the library applies a security fix later than Django 3.2.25.
        c["divergence"] = {"status": divergence[0], "why": divergence[1]}
    assert name not in {x["name"] for x in cases}, name
    cases.append(c)


def sign_cookie(name, value, at, key=DEV_SECRET_KEY, salt="", algorithm=None):
    with mock.patch("time.time", return_value=at):
        signer = signing.TimestampSigner(
            key=b"django.http.cookies" + key.encode(), salt=name + salt, algorithm=algorithm
        )
        return signer.sign(value)


def multipart(parts, boundary="XyZzY"):
    out = b""
    for headers, data in parts:
        out += b"--" + boundary.encode() + b"\r\n"
        for h in headers:
            out += h.encode("utf-8") + b"\r\n"
        out += b"\r\n" + (data.encode("utf-8") if isinstance(data, str) else data) + b"\r\n"
    return out + b"--" + boundary.encode() + b"--\r\n"


MP = "multipart/form-data; boundary=XyZzY"
FORM = "application/x-www-form-urlencoded"

# --- queries -------------------------------------------------------------------------------
case("query-basic", "/inspect/?a=1&b=2&a=3")
case("query-blank-and-empty", "/inspect/?a&b=&=c&&d=%20+x")
case("query-semicolon-is-not-a-separator", "/inspect/?a=1;b=2&c=3")
case("query-utf8", "/inspect/?name=%C3%A9t%C3%A9&k%C3%A9=v")
case("query-invalid-utf8", "/inspect/?a=%E9%ff&b=%C3")
case("query-plus", "/inspect/?a=1+2%2B3")
case("query-raw-latin1-byte", "/inspect/?a=\u00e9", note="a raw 0xE9 byte in the request line",
     divergence=(400, "Node's HTTP parser (llhttp) refuses bytes above 0x7F in the request target"))
case("query-empty", "/inspect/?")
case("query-hash-escaped", "/inspect/?a=%23b&c=%26")
case("query-fields-at-limit", "/inspect/?a=1&a=2&a=3&a=4&a=5", profile="limits")
case("query-too-many-fields", "/inspect/?a=1&a=2&a=3&a=4&a=5&a=6", profile="limits")
case("query-trailing-ampersand-counts", "/inspect/?a=1&a=2&a=3&a=4&a=5&", profile="limits")

# --- paths -------------------------------------------------------------------------------
case("path-utf8", "/inspect/caf%C3%A9/")
case("path-invalid-utf8", "/inspect/caf%E9/")
case("path-encoded-slash", "/inspect/a%2Fb/")
case("path-double-slashes", "/inspect//a//b")
case("path-space-and-specials", "/inspect/%20x/a;b=c/~u/(1)!*'")
case("path-no-trailing-part", "/inspect/")
case("path-not-found", "/nowhere/")
case("path-inspect-without-slash", "/inspect")

# --- methods -----------------------------------------------------------------------------
for m in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
    case("method-" + m.lower(), "/inspect/m?x=1", method=m)
# No HEAD: Django 3.2's development server writes a body after a HEAD response, which an HTTP
# client reads as a protocol error. The example site's own tests cover HEAD.

# --- encodings -----------------------------------------------------------------------------
for label, cs, q in [
    ("latin-1", "latin-1", "a=%C3%A9&b=%80"),
    ("iso-8859-1", "iso-8859-1", "a=%E9"),
    ("latin1-upper", "LATIN1", "a=%E9"),
    ("quoted", '"latin-1"', "a=%E9"),
    ("cp1252", "cp1252", "a=%80"),
    ("utf-8", "utf-8", "a=%C3%A9"),
    ("ascii", "ascii", "a=%E9"),
    ("unknown", "bogus-charset", "a=%C3%A9"),
]:
    case("encoding-get-" + label, "/inspect/?" + q, headers=[["Content-Type", "text/plain; charset=" + cs]])

# --- urlencoded forms -----------------------------------------------------------------------
case("form-basic", "/inspect/", "POST", [["Content-Type", FORM]], "a=1&b=%C3%A9&a=2&c")
case("form-latin1", "/inspect/?q=%E9", "POST", [["Content-Type", FORM + "; charset=latin-1"]], "a=%E9&b=%80")
case("form-main-type-not-lowercased", "/inspect/", "POST", [["Content-Type", FORM.upper()]], "a=1")
case("form-put-not-parsed", "/inspect/", "PUT", [["Content-Type", FORM]], "a=1")
case("form-text-plain-not-parsed", "/inspect/", "POST", [["Content-Type", "text/plain"]], "a=1")
case("form-empty-body", "/inspect/", "POST", [["Content-Type", FORM]], "")
case("form-no-content-type", "/inspect/", "POST", [], "a=1")
case("form-fields-at-limit", "/inspect/", "POST", [["Content-Type", FORM]], "a=1&b=2&c=3&d=4&e=5", profile="limits")
case("form-too-many-fields", "/inspect/", "POST", [["Content-Type", FORM]], "a=1&b=2&c=3&d=4&e=5&f=6",
     profile="limits")
case("form-data-too-big", "/inspect/", "POST", [["Content-Type", FORM]], "a=" + "x" * 1200, profile="limits")
case("form-data-at-limit", "/inspect/", "POST", [["Content-Type", FORM]], "a=" + "x" * 998, profile="limits")

# --- multipart ----------------------------------------------------------------------------
def disp(name, filename=None, extra=""):
    h = 'Content-Disposition: form-data; name="%s"' % name
    if filename is not None:
        h += '; filename="%s"' % filename
    return h + extra


case("multipart-field-and-file", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("title")], "Hello é"),
    ([disp("doc", "notes.txt"), "Content-Type: text/plain"], "line 1\nline 2\n"),
]))
case("multipart-two-files-one-key", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("f", "a.bin"), "Content-Type: application/octet-stream"], bytes(range(256))),
    ([disp("f", "a.bin"), "Content-Type: application/octet-stream"], b"second"),
]))
case("multipart-empty-filename-is-a-field", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("f", "")], "not a file"),
]))
case("multipart-filename-traversal", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("f", "../../etc/passwd")], "x"),
    ([disp("g", "C:\\\\temp\\\\evil.txt")], "y"),
    ([disp("h", "&#46;&#46;")], "z"),
]))
case("multipart-dotdot-filename-skipped", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("f", "..")], "x"),
    ([disp("keep")], "kept"),
]))
case("multipart-rfc2231-filename", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    (["Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%C3%A9t%C3%A9.txt"], "summer"),
]))
case("multipart-base64-part", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("f", "b.txt"), "Content-Transfer-Encoding: base64"], base64.b64encode(b"decoded!").decode()),
]))
case("multipart-file-charset", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("f", "l.txt"), "Content-Type: text/plain; charset=latin-1"], b"caf\xe9"),
]))
case("multipart-latin1-fields", "/inspect/", "POST", [["Content-Type", MP + "; charset=latin-1"]], multipart([
    ([disp("a")], b"caf\xe9"),
]))
case("multipart-part-without-name", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    (["Content-Disposition: form-data"], "orphan"),
    ([disp("b")], "2"),
]))
case("multipart-no-boundary", "/inspect/", "POST", [["Content-Type", "multipart/form-data"]], "--x\r\n")
case("multipart-boundary-with-space", "/inspect/", "POST", [["Content-Type", "multipart/form-data; boundary=a b"]],
     "--x\r\n")
case("multipart-boundary-too-long", "/inspect/", "POST", [["Content-Type", "multipart/form-data; boundary=" + "b" * 202]],
     "--x\r\n", note="Django's boundary rule: at most 201 printable characters")
case("multipart-truncated", "/inspect/", "POST", [["Content-Type", MP]],
     b"--XyZzY\r\n" + disp("a").encode() + b"\r\n\r\nvalue without an end")
case("multipart-put-not-parsed", "/inspect/", "PUT", [["Content-Type", MP]], multipart([([disp("a")], "1")]))
case("multipart-too-many-files", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("f%d" % i, "f%d.txt" % i)], "x") for i in range(3)
]), profile="limits")
case("multipart-files-at-limit", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("f%d" % i, "f%d.txt" % i)], "x") for i in range(2)
]), profile="limits")
case("multipart-too-many-fields", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("a%d" % i)], "x") for i in range(8)
]), profile="limits")
case("multipart-field-too-big", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("a")], "x" * 1200),
]), profile="limits")
case("multipart-file-spills-to-disk", "/inspect/", "POST", [["Content-Type", MP]], multipart([
    ([disp("big", "big.txt"), "Content-Type: text/plain"], "0123456789" * 500),
]), profile="limits", note="5000-byte file over FILE_UPLOAD_MAX_MEMORY_SIZE=100; files do not count")

# --- cookies --------------------------------------------------------------------------------
case("cookies-basic", "/inspect/", headers=[["Cookie", "a=1; b=2"]])
case("cookies-last-duplicate-wins", "/inspect/", headers=[["Cookie", "a=1; a=2"]])
case("cookies-edge-cases", "/inspect/", headers=[["Cookie", 'noequals; c = 3 ;; d="q\\073x"; e=%20x; =f']])
case("cookies-latin1-byte", "/inspect/", headers=[["Cookie", "n=caf\u00e9"]])

# --- signed cookies ---------------------------------------------------------------------------
good = sign_cookie("s", "hello", T0 - 100)
colon = sign_cookie("t", "a:b", T0 - 100)
salted = sign_cookie("u", "x", T0 - 100, salt="pepper")
other_key = sign_cookie("v", "x", T0 - 100, key="another-key")
legacy = sign_cookie("w", "old", T0 - 100, algorithm="sha1")
tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
jar = "s=%s; t=%s; u=%s; v=%s; w=%s; x=%s; plain=abc" % (good, colon, salted, other_key, legacy, tampered)
case("signed-no-max-age", "/inspect/", headers=[["Cookie", jar]])
case("signed-max-age-valid", "/inspect/?__max_age=1000", headers=[["Cookie", jar]])
case("signed-max-age-expired", "/inspect/?__max_age=50", headers=[["Cookie", jar]])
case("signed-max-age-zero", "/inspect/?__max_age=0", headers=[["Cookie", "s=" + good]])
case("signed-max-age-not-an-integer", "/inspect/?__max_age=soon", headers=[["Cookie", "s=" + good]])

# --- hosts -------------------------------------------------------------------------------------
for label, host in [
    ("localhost", "localhost"),
    ("localhost-port", "localhost:8000"),
    ("upper-case", "LOCALHOST:8000"),
    ("trailing-dot", "localhost."),
    ("ipv4", "127.0.0.1:8000"),
    ("ipv6", "[::1]:8000"),
    ("disallowed", "evil.com"),
    ("port-out-of-range", "localhost:99999"),
    ("space", "local host"),
    ("bad-port", "localhost:abc"),
    ("unclosed-bracket", "[::1"),
    ("userinfo", "localhost@evil.com"),
]:
    case("host-" + label, "/inspect/h?x=1", headers=[["Host", host]])
case("host-forwarded-ignored-without-setting", "/inspect/", headers=[["X-Forwarded-Host", "evil.com"]])
case("host-underscore-header-dropped", "/inspect/", headers=[["X_Forwarded_Host", "evil.com"], ["X_Custom", "1"]],
     profile="proxy")
case("host-debug-localhost-subdomain", "/inspect/", headers=[["Host", "sub.localhost:8000"]], profile="debug")
case("host-debug-ipv4", "/inspect/", headers=[["Host", "127.0.0.1"]], profile="debug")
case("host-debug-disallowed", "/inspect/", headers=[["Host", "example.com"]], profile="debug")

# --- proxies -------------------------------------------------------------------------------------
case("proxy-forwarded-host", "/inspect/p?q=1", headers=[["X-Forwarded-Host", "www.example.com"]], profile="proxy")
case("proxy-forwarded-host-chain", "/inspect/", headers=[["X-Forwarded-Host", "evil.com, a.example.com"]],
     profile="proxy")
case("proxy-forwarded-host-disallowed", "/inspect/", headers=[["X-Forwarded-Host", "evil.com"]], profile="proxy")
case("proxy-forwarded-host-with-port", "/inspect/", headers=[["X-Forwarded-Host", "example.org:8443"],
                                                               ["X-Forwarded-Port", "8443"]], profile="proxy")
case("proxy-https", "/inspect/", headers=[["X-Forwarded-Proto", "https"]], profile="proxy")
case("proxy-http", "/inspect/", headers=[["X-Forwarded-Proto", "http"]], profile="proxy")
case("proxy-https-upper-case-is-not-https", "/inspect/", headers=[["X-Forwarded-Proto", "HTTPS"]], profile="proxy")
case("proxy-https-list-is-not-https", "/inspect/", headers=[["X-Forwarded-Proto", "https, http"]],
     profile="proxy")
case("proxy-forwarded-for-chain", "/inspect/", headers=[["X-Forwarded-For", "10.0.0.1, 10.0.0.2,10.0.0.3"],
                                                          ["X-Forwarded-Server", "a,b"]], profile="proxy")
case("proxy-headers-ignored-by-default", "/inspect/", headers=[["X-Forwarded-Proto", "https"],
                                                                 ["X-Forwarded-For", "1.1.1.1, 2.2.2.2"]])

# --- /respond/ ---------------------------------------------------------------------------------------
R = "/respond/?"
respond = [
    ("plain-default", ""),
    ("plain-content-status", "content=hello&status=201"),
    ("plain-status-599", "status=599"),
    ("plain-status-not-integer", "status=abc"),
    ("plain-status-too-small", "status=99"),
    ("plain-status-too-big", "status=600"),
    ("plain-content-type", "content=hi&content_type=text/plain"),
    ("plain-charset-latin1", "content=caf%C3%A9&charset=latin-1"),
    ("plain-content-type-charset", "content=caf%C3%A9&content_type=text/plain;%20charset=latin-1"),
    ("plain-charset-unknown", "content=x&charset=bogus-charset"),
    ("plain-content-type-injection", "content_type=text/html%0D%0AX-Injected:%201"),
    ("redirect", "kind=redirect&url=/elsewhere/"),
    ("redirect-iri", "kind=redirect&url=https://example.com/%C3%A4?q=%C3%A9%20x"),
    ("redirect-javascript", "kind=redirect&url=javascript:alert(1)"),
    ("redirect-data", "kind=redirect&url=data:text/html,x"),
    ("redirect-protocol-relative", "kind=redirect&url=//evil.com/"),
    ("redirect-ftp", "kind=redirect&url=ftp://example.com/f"),
    ("redirect-crlf-escaped", "kind=redirect&url=/a%0D%0ASet-Cookie:%20x=1"),
    ("redirect-long", "kind=redirect&url=/" + "a" * 2000),
    ("permanent-redirect", "kind=permanent_redirect&url=https://example.com/"),
    ("permanent-redirect-javascript", "kind=permanent_redirect&url=JavaScript:alert(1)"),
    ("not-modified", "kind=not_modified"),
    ("not-modified-with-content", "kind=not_modified&content=x"),
    ("bad-request", "kind=bad_request&content=bad"),
    ("not-found", "kind=not_found&content=nope"),
    ("forbidden", "kind=forbidden&content=no"),
    ("not-allowed", "kind=not_allowed&methods=GET,POST"),
    ("not-allowed-no-methods", "kind=not_allowed"),
    ("gone", "kind=gone&content=bye"),
    ("server-error", "kind=server_error&content=oops"),
    ("json", "kind=json&content=caf%C3%A9%20%22%3C%3E%22%E2%98%83"),
    ("streaming", "kind=streaming&content=ab&n=3"),
    ("streaming-zero", "kind=streaming&content=ab&n=0"),
    ("streaming-bad-n", "kind=streaming&n=x"),
    ("streaming-n-over-cap", "kind=streaming&n=1001"),
    ("unknown-kind", "kind=teapot"),
    ("header", "header=X-A:%20b&header=X-Empty:"),
    ("header-latin1", "header=X-L:%20caf%C3%A9"),
    ("header-non-latin1", "header=X-U:%20%E2%98%83"),
    ("header-value-injection", "header=X-A:%20b%0D%0AX-Injected:%201"),
    ("header-value-trailing-crlf", "header=X-A:%20b%0D%0A"),
    ("header-lf-only", "header=X-A:%20b%0Ac"),
    ("header-name-injection", "header=X-A%0D%0AX-B:%20c"),
    ("header-no-colon", "header=NoColon"),
    ("header-content-type", "content=x&header=Content-Type:%20text/plain"),
    ("header-case-insensitive-replace", "header=x-a:%201&header=X-A:%202"),
    ("cookie", "cookie=a=1"),
    ("cookie-options", "cookie=a=1&cookie=b=2&max_age=60&path=/p&domain=example.com&secure=1&httponly=1"
                       "&samesite=Lax"),
    ("cookie-samesite-none", "cookie=a=1&samesite=None&secure=1"),
    ("cookie-samesite-invalid", "cookie=a=1&samesite=bogus"),
    ("cookie-max-age-not-an-integer", "cookie=a=1&max_age=soon"),
    ("cookie-value-quoted", "cookie=a=x%20y;z%22%5C"),
    ("cookie-value-empty", "cookie=a"),
    ("cookie-bad-name", "cookie=a%20b=1"),
    ("cookie-replaced", "cookie=a=1&cookie=a=2"),
    ("cookie-then-deleted", "cookie=a=1&delete_cookie=a"),
    ("delete-cookie", "delete_cookie=a&path=/p&domain=example.com"),
    ("delete-cookie-secure-prefix", "delete_cookie=__Secure-a&delete_cookie=__Host-b"),
    ("delete-cookie-samesite-none", "delete_cookie=a&samesite=None"),
    ("signed-cookie", "signed_cookie=s=hello"),
    ("signed-cookie-salt-and-options", "signed_cookie=s=a:b&salt=pepper&max_age=3600&httponly=1"),
    ("everything", "kind=json&content=x&header=X-A:%201&cookie=c=1&signed_cookie=s=v&delete_cookie=d"),
]
for label, q in respond:
    case("respond-" + label, R + q)
case("respond-redirect-too-long", R + "kind=redirect&url=/" + "a" * 2100,
     divergence=(400, "the library refuses redirects over 2048 characters (CVE-2025-64458, Django 4.2.26+); "
                      "Django 3.2.25 redirects"))
case("respond-debug-server-error", R + "kind=teapot", profile="debug", compare="status",
     note="DEBUG shows a technical 500 page: only status and Content-Type family are compared")

# --- part 2: /resolve/ and /reverse/ (stateless) ---------------------------------------------------
for label, p in [
    ("home", ""),
    ("articles-index", "articles/"),
    ("articles-year", "articles/2024/"),
    ("articles-year-not-four-digits", "articles/24/"),
    ("articles-month", "articles/2024/05/"),
    ("articles-detail", "articles/2024/5/hello-world/"),
    ("archive-detail", "archive/1999/12/x/"),
    ("user-int", "users/42/"),
    ("user-by-name", "users/alice/"),
    ("user-int-leading-zeros", "users/007/"),
    ("files", "files/a/b/c.txt"),
    ("item-uuid", "items/12345678-1234-5678-1234-567812345678/"),
    ("item-uuid-upper-case", "items/12345678-1234-5678-1234-56781234567A/"),
    ("legacy", "legacy/abc-12/"),
    ("old", "old/1/2/"),
    ("api-v1", "api/v1/3/"),
    ("api-v1-root", "api/v1/"),
    ("dup", "dup/"),
    ("dup2", "dup2/"),
    ("cafe-encoded", "caf%C3%A9/"),
    ("not-found", "nowhere/"),
    ("no-trailing-slash", "articles/2024"),
]:
    case("resolve-" + label, "/resolve/" + p)
for label, q in [
    ("home", "name=home"),
    ("year-app-default", "name=articles:year&arg=2024"),
    ("year-pads", "name=articles:year&arg=24"),
    ("year-current-app", "name=articles:year&arg=2024&current_app=archive"),
    ("year-archive", "name=archive:year&kw=year:2024"),
    ("detail-kwargs", "name=articles:detail&kw=year:2024&kw=month:5&kw=slug:hello"),
    ("detail-bad-slug", "name=articles:detail&kw=year:2024&kw=month:5&kw=slug:a%20b"),
    ("user-int", "name=user&arg=42"),
    ("user-not-int", "name=user&arg=bob"),
    ("user-by-name", "name=user-by-name&arg=b%C3%B6b"),
    ("files-slashes", "name=file&kw=rest:a/b%20c"),
    ("item", "name=item&arg=12345678-1234-5678-1234-567812345678"),
    ("legacy-named", "name=legacy&kw=code:abc"),
    ("old-positional", "name=old&arg=1&arg=2"),
    ("v1", "name=v1&kw=pk:3"),
    ("dup-last-wins", "name=dup"),
    ("cafe", "name=cafe"),
    ("unknown", "name=nope"),
    ("no-name", ""),
    ("namespace-unknown", "name=nope:year&arg=2024"),
]:
    case("reverse-" + label, "/reverse/?" + q)

# --- part 2: scenarios (cookies carried from step to step) -------------------------------------
scenarios = []


def scenario(name, steps, profiles=("sessions-db", "sessions-signed"), note=None):
    for profile in profiles:
        sc = {"name": "%s@%s" % (name, profile), "profile": profile, "steps": []}
        if note:
            sc["note"] = note
        for st in steps:
            st = dict(st)
            st.setdefault("method", "GET")
            st.setdefault("headers", [])
            sc["steps"].append(st)
        scenarios.append(sc)


def get(p, **kw):
    return dict(path=p, **kw)


def post(p, body="", headers=(), method="POST", **kw):
    return dict(method=method, path=p, body=body, headers=[["Content-Type", FORM]] + list(headers), **kw)


S = "/session/?"
scenario("session-set-then-read", [
    get(S + "set=a:1&setint=n:42&set=b:x:y"),
    get("/session/"),
    get(S + "pop=a&pop=missing"),
    get(S + "set=%C3%A9:1&set=Z:2&set=~:3&set=%F0%9F%98%80:4&set=%EF%BD%81:5"),
    get(S + "flush=1"),
    get("/session/"),
])
scenario("session-read-only-fresh", [get("/session/"), get("/session/?pop=x")])
scenario("session-cycle", [get(S + "set=k:v"), get(S + "cycle=1"), get("/session/")])
scenario("session-expiry", [
    get(S + "set=k:v&expiry=300"), get("/session/"), get(S + "expiry=0"), get("/session/"),
    get(S + "expiry=none"), get("/session/"),
])
scenario("session-test-cookie", [get(S + "test_cookie=1"), get("/session/")])
scenario("session-bad-int", [get(S + "setint=k:abc")])
scenario("session-bogus-cookie", [
    get("/session/", headers=[["Cookie", "sessionid=garbage"]], sendCookies=False),
    get(S + "set=a:1", headers=[["Cookie", "sessionid=abcdefghijklmnopqrstuvwxyz012345"]], sendCookies=False),
])
scenario("session-inspect-untouched", [get(S + "set=a:1"), get("/respond/?content=x")])

scenario("csrf-get-then-post-field", [get("/csrf/"), post("/csrf/", "csrfmiddlewaretoken={token}")])
scenario("csrf-get-then-post-header", [
    get("/csrf/"),
    post("/csrf/", "", headers=[["X-CSRFToken", "{token}"]]),
    post("/csrf/", "", headers=[["X-CSRFToken", "{token}"]], method="PUT"),
    post("/csrf/", "", headers=[["X-CSRFToken", "{token}"]], method="DELETE"),
])
scenario("csrf-cookie-as-token", [get("/csrf/"), post("/csrf/", "csrfmiddlewaretoken={cookie:csrftoken}")])
scenario("csrf-post-without-token", [get("/csrf/"), post("/csrf/", "a=1")])
scenario("csrf-post-wrong-token", [get("/csrf/"), post("/csrf/", "csrfmiddlewaretoken=" + "a" * 64)])
scenario("csrf-post-malformed-token", [get("/csrf/"), post("/csrf/", "csrfmiddlewaretoken=%21%21")])
scenario("csrf-post-without-cookie", [post("/csrf/", "csrfmiddlewaretoken=" + "a" * 64)])
scenario("csrf-put-field-is-ignored", [get("/csrf/"), post("/csrf/", "csrfmiddlewaretoken={token}", method="PUT")])
scenario("csrf-safe-methods", [get("/csrf/", method="OPTIONS"), get("/csrf/", method="TRACE")])
scenario("csrf-malformed-cookie-replaced", [
    get("/csrf/", headers=[["Cookie", "csrftoken=short"]], sendCookies=False),
])

scenario("login-whoami-logout", [
    get("/whoami/"),
    get("/csrf/"),
    post("/login/", "username=alice&password=wrong&csrfmiddlewaretoken={token}"),
    post("/login/", "username=alice&password=wonderland&csrfmiddlewaretoken={token}"),
    get("/whoami/"),
    get("/session/"),
    post("/logout/", "csrfmiddlewaretoken={token}"),
    get("/csrf/"),
    post("/logout/", "csrfmiddlewaretoken={token}"),
    get("/whoami/"),
    get("/session/"),
], note="login rotates the CSRF token: the first logout, with the old token, is refused")
scenario("login-keeps-anonymous-data", [
    get(S + "set=cart:3"),
    get("/csrf/"),
    post("/login/", "username=alice&password=wonderland&csrfmiddlewaretoken={token}"),
    get("/session/"),
    get("/csrf/"),
    post("/login/", "username=alice&password=wonderland&csrfmiddlewaretoken={token}"),
    get("/session/"),
])
scenario("login-failures", [
    get("/csrf/"),
    post("/login/", "username=bob&password=wonderland&csrfmiddlewaretoken={token}"),
    post("/login/", "username=ALICE&password=wonderland&csrfmiddlewaretoken={token}"),
    post("/login/", "password=wonderland&csrfmiddlewaretoken={token}"),
    post("/login/", "username=alice&csrfmiddlewaretoken={token}"),
    get("/whoami/"),
])
scenario("login-without-csrf", [post("/login/", "username=alice&password=wonderland"), get("/whoami/")])
scenario("whoami-forged-session", [
    get("/whoami/", headers=[["Cookie", "sessionid=abcdefghijklmnopqrstuvwxyz012345"]], sendCookies=False),
])

C = ("sessions-cache",)
scenario("cache-session-set-then-read", [
    get(S + "set=a:1&setint=n:42"), get("/session/"), get(S + "cycle=1"), get("/session/"), get(S + "flush=1"),
    get("/session/"),
], profiles=C)
scenario("cache-login-whoami-logout", [
    get("/csrf/"),
    post("/login/", "username=alice&password=wonderland&csrfmiddlewaretoken={token}"),
    get("/whoami/"),
    get("/csrf/"),
    post("/logout/", "csrfmiddlewaretoken={token}"),
    get("/whoami/"),
], profiles=C)

O = ("sessions-options",)
scenario("options-session-cookie", [get(S + "set=a:1"), get("/session/"), get(S + "expiry=60"), get("/session/")],
         profiles=O)
scenario("options-csrf-header-name", [
    get("/csrf/"),
    post("/csrf/", "", headers=[["X-XSRF-Token", "{token}"]]),
    post("/csrf/", "", headers=[["X-CSRFToken", "{token}"]]),
], profiles=O)
scenario("options-login", [
    get("/csrf/"),
    post("/login/", "username=alice&password=wonderland&csrfmiddlewaretoken={token}"),
    get("/whoami/"),
], profiles=O)

corpus = {
    "description": "Requests replayed by test/Playground.diff.test.ts against the example site and its Django twin.",
    "fixedTime": T0,
    "profiles": PROFILES,
    "cases": cases,
    "scenarios": scenarios,
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures",
                   "playground-corpus.json")
with open(out, "w") as f:
    json.dump(corpus, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote %d cases and %d scenarios to %s" % (len(cases), len(scenarios), os.path.normpath(out)))
