"""Fixtures for the response tests: what Django 3.2 produces for many calls.

Run with the Django 3.2 install: /usr/bin/python3 scripts/django/response.py [DEFAULT_CHARSET]
Writes test/fixtures/response.json (DEFAULT_CHARSET utf-8, the default), or
test/fixtures/response-<DEFAULT_CHARSET>.json for another one (the same calls). Deterministic: time is fixed at T and the
mimetypes table is Python's built-in one (no /etc/mime.types).
"""
import datetime
import io
import json
import mimetypes
import os
import sys
from unittest import mock

import django
from django.conf import settings

DEFAULT_CHARSET = sys.argv[1] if len(sys.argv) > 1 else "utf-8"
settings.configure(DEFAULT_CHARSET=DEFAULT_CHARSET)
django.setup()

mimetypes.knownfiles = []
mimetypes.init()

from django.http import (  # noqa: E402
    FileResponse, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, HttpResponseGone,
    HttpResponseNotAllowed, HttpResponseNotFound, HttpResponseNotModified, HttpResponsePermanentRedirect,
    HttpResponseRedirect, HttpResponseServerError, JsonResponse,
)

T = 1700000000.0


class FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=T)


def describe(r):
    out = {
        "ok": True,
        "status": r.status_code,
        "reason": r.reason_phrase,
        "charset": r.charset,
        "headers": [[k, v] for k, v in r.items()],
        "cookies": [m.OutputString() for m in r.cookies.values()],
        "headers_bytes": r.serialize_headers().decode("latin-1"),
    }
    if not r.streaming:
        out["content"] = r.content.decode("latin-1")
        out["serialize"] = r.serialize().decode("latin-1")
    return out


def error(e):
    return {"ok": False, "error": type(e).__name__, "message": str(e)}


def run(fn):
    try:
        with mock.patch("time.time", return_value=T):
            return describe(fn())
    except Exception as e:  # noqa: BLE001
        return error(e)


def make(args):
    kw = {}
    for k in ("content_type", "status", "reason", "charset"):
        if k in args:
            kw[k] = args[k]
    if "headers" in args:
        kw["headers"] = dict(args["headers"])
    content = args.get("content", b"")
    if isinstance(content, dict) and "bytes" in content:
        content = bytes(content["bytes"])
    return HttpResponse(content, **kw)


def cookie_kwargs(opts):
    kw = dict(opts)
    if isinstance(kw.get("expires"), dict):
        kw["expires"] = FixedDatetime(1970, 1, 1) + datetime.timedelta(seconds=T + kw["expires"]["offset"])
    return kw


def cookies(args):
    r = HttpResponse()
    for op in args["ops"]:
        if op[0] == "set":
            r.set_cookie(op[1], op[2], **cookie_kwargs(op[3]))
        else:
            r.delete_cookie(op[1], **op[2])
    return r


def header(args):
    r = HttpResponse()
    r[args["name"]] = args["value"]
    return r


FAMILY = {
    "redirect": HttpResponseRedirect,
    "permanent_redirect": HttpResponsePermanentRedirect,
}
STATUS = {
    "bad_request": HttpResponseBadRequest,
    "not_found": HttpResponseNotFound,
    "forbidden": HttpResponseForbidden,
    "gone": HttpResponseGone,
    "server_error": HttpResponseServerError,
}


def family(args):
    kind = args["kind"]
    if kind in FAMILY:
        return FAMILY[kind](args["url"])
    if kind in STATUS:
        return STATUS[kind](args.get("content", b""))
    if kind == "not_allowed":
        return HttpResponseNotAllowed(args["methods"])
    if kind == "not_modified":
        return HttpResponseNotModified(args.get("content", b""))
    raise AssertionError(kind)


def json_response(args):
    return JsonResponse(args["data"], safe=args.get("safe", True), json_dumps_params=args.get("params"))


def file_response(args):
    buf = io.BytesIO(bytes(args["bytes"]))
    if "name" in args:
        buf.name = args["name"]
    kw = {}
    if "filename" in args:
        kw["filename"] = args["filename"]
    if "as_attachment" in args:
        kw["as_attachment"] = args["as_attachment"]
    if "content_type" in args:
        kw["content_type"] = args["content_type"]
    r = FileResponse(buf, **kw)
    r.close()
    return r


KINDS = {
    "make": make,
    "cookies": cookies,
    "header": header,
    "family": family,
    "json": json_response,
    "file": file_response,
}

LONG = "http://example.com/" + "a" * 2100

CASES = [
    # --- make: status, reason, charset, content type ---
    ("make", {}),
    ("make", {"content": "hello"}),
    ("make", {"content": "héllo €"}),
    ("make", {"content": "héllo", "charset": "latin-1"}),
    ("make", {"content": "héllo", "content_type": "text/plain; charset=iso-8859-1"}),
    ("make", {"content": "x", "content_type": "text/plain; charset=\"latin-1\""}),
    ("make", {"content": "€", "charset": "latin-1"}),
    ("make", {"content": "x", "charset": "klingon"}),
    ("make", {"content": {"bytes": [0, 255, 10]}}),
    ("make", {"content": ["abc", "déf", 1, 2]}),
    ("make", {"content": "x", "content_type": "application/json"}),
    ("make", {"content": "x", "content_type": "text/plain", "headers": [["Content-Type", "text/csv"]]}),
    ("make", {"headers": [["content-type", "text/csv; charset=latin-1"], ["X-A", "1"]]}),
    ("make", {"status": 201}),
    ("make", {"status": 99}),
    ("make", {"status": 600}),
    ("make", {"status": 599}),
    ("make", {"status": 100}),
    ("make", {"status": 418}),
    ("make", {"status": 599, "reason": "Custom"}),
    ("make", {"status": 299}),
    ("make", {"status": 200.7}),
    ("make", {"headers": [["X-Foo", "bar"], ["x-foo", "baz"], ["X-Bar", "1"]]}),
    ("make", {"headers": [["X-Bad", "a\nb"]]}),
    # --- headers ---
    ("header", {"name": "X-Uni", "value": "€ é"}),
    ("header", {"name": "X-Lat", "value": "é"}),
    ("header", {"name": "X-Long", "value": "†" * 60}),
    ("header", {"name": "X-Mixed", "value": "naïve 日本語 text"}),
    ("header", {"name": "é", "value": "x"}),
    ("header", {"name": "X-Nl", "value": "a\nb"}),
    ("header", {"name": "X-Cr", "value": "a\rb"}),
    ("header", {"name": "X-Q", "value": "it's \"q\"\r\n"}),
    ("header", {"name": "X-Q2", "value": "it's\n"}),
    ("header", {"name": "X-U", "value": "日本\n"}),
    ("header", {"name": "X-Tab", "value": "a\tb"}),
    ("header", {"name": "X\nInjected", "value": "x"}),
    ("header", {"name": "Content-Type", "value": "text/plain"}),
    # --- cookies ---
    ("cookies", {"ops": [["set", "a", "b", {}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"max_age": 3600, "secure": True, "httponly": True, "samesite": "Lax"}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"max_age": 10.6}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"max_age": 0}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"max_age": -5}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"expires": {"offset": 10}}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"expires": {"offset": 10.5}}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"expires": {"offset": -100}}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"expires": {"offset": 86400 * 400}}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"expires": "Fri, 01 Jan 2038 00:00:00 GMT"}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"expires": "Fri, 01 Jan 2038 00:00:00 GMT", "max_age": 5}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"path": "/x", "domain": ".example.com"}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"path": None}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"path": ""}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"samesite": "none"}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"samesite": "STRICT"}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"samesite": "invalid"}]]}),
    ("cookies", {"ops": [["set", "a", "b", {"samesite": ""}]]}),
    ("cookies", {"ops": [["set", "a", "b c;d", {}]]}),
    ("cookies", {"ops": [["set", "a", "quote\"back\\slash", {}]]}),
    ("cookies", {"ops": [["set", "a", "é,tab\there", {}]]}),
    ("cookies", {"ops": [["set", "a", "()/<=>?@[]{}", {}]]}),
    ("cookies", {"ops": [["set", "a", "!#$%&'*+-.^_`|~:", {}]]}),
    ("cookies", {"ops": [["set", "a", "", {}]]}),
    ("cookies", {"ops": [["set", "a b", "x", {}]]}),
    ("cookies", {"ops": [["set", "expires", "x", {}]]}),
    ("cookies", {"ops": [["set", "Max-Age", "x", {}]]}),
    ("cookies", {"ops": [["set", "a", "1", {}], ["set", "b", "2", {"httponly": True}]]}),
    ("cookies", {"ops": [["delete", "c", {}]]}),
    ("cookies", {"ops": [["delete", "c", {"path": "/p", "domain": "example.com"}]]}),
    ("cookies", {"ops": [["delete", "__Secure-c", {}]]}),
    ("cookies", {"ops": [["delete", "__Host-c", {}]]}),
    ("cookies", {"ops": [["delete", "c", {"samesite": "None"}]]}),
    ("cookies", {"ops": [["delete", "c", {"samesite": "lax"}]]}),
    ("cookies", {"ops": [["delete", "c", {"samesite": "bogus"}]]}),
    # --- family ---
    ("family", {"kind": "redirect", "url": "/next/"}),
    ("family", {"kind": "redirect", "url": "https://example.com/a b?q=é#frag"}),
    ("family", {"kind": "redirect", "url": "//evil.com/"}),
    ("family", {"kind": "redirect", "url": "ftp://example.com/f"}),
    ("family", {"kind": "redirect", "url": "javascript:alert(1)"}),
    ("family", {"kind": "redirect", "url": "JavaScript:alert(1)"}),
    ("family", {"kind": "redirect", "url": " javascript:alert(1)"}),
    ("family", {"kind": "redirect", "url": "\x01javascript:alert(1)"}),
    ("family", {"kind": "redirect", "url": "java\tscript:alert(1)"}),
    ("family", {"kind": "redirect", "url": "data:text/html,<script>"}),
    ("family", {"kind": "redirect", "url": "mailto:a@b.c"}),
    ("family", {"kind": "redirect", "url": "localhost:8000/x"}),
    ("family", {"kind": "redirect", "url": "/a\r\nSet-Cookie: x=y"}),
    ("family", {"kind": "redirect", "url": "1http:x"}),
    ("family", {"kind": "permanent_redirect", "url": "/moved/"}),
    ("family", {"kind": "permanent_redirect", "url": "mailto:x@y.z"}),
    ("family", {"kind": "not_allowed", "methods": ["GET", "POST"]}),
    ("family", {"kind": "not_allowed", "methods": []}),
    ("family", {"kind": "not_modified"}),
    ("family", {"kind": "not_modified", "content": "x"}),
    ("family", {"kind": "bad_request", "content": "bad"}),
    ("family", {"kind": "not_found", "content": "nope"}),
    ("family", {"kind": "forbidden"}),
    ("family", {"kind": "gone"}),
    ("family", {"kind": "server_error", "content": "oops"}),
    # --- json ---
    ("json", {"data": {"a": 1, "b": [1, 2.5, None, True, False], "c": "é\u2028\n\"\\/"}}),
    ("json", {"data": {"emoji": "😀", "ctl": "\u0001\u001f\u007f", "nested": {"x": {}, "y": []}}}),
    ("json", {"data": {"f": [0.1, 1e16, 1e-5, 123456789.125, -0.0001, 1.5e300, 2.5e-7, 123.0e20]}}),
    ("json", {"data": [1, 2, 3]}),
    ("json", {"data": [1, 2, 3], "safe": False}),
    ("json", {"data": "s", "safe": False}),
    ("json", {"data": None, "safe": False}),
    ("json", {"data": {"b": 1, "a": {"d": 2, "c": [1, {"z": 0}]}}, "params": {"sort_keys": True, "indent": 2}}),
    ("json", {"data": {"a": [1, 2]}, "params": {"separators": [",", ":"]}}),
    ("json", {"data": {"a": "é"}, "params": {"ensure_ascii": False}}),
    ("json", {"data": {"a": [], "b": {}}, "params": {"indent": 4}}),
    # --- FileResponse from buffers ---
    ("file", {"bytes": [1, 2, 3]}),
    ("file", {"bytes": [1, 2, 3], "as_attachment": True}),
    ("file", {"bytes": [1, 2, 3], "filename": "report.pdf", "as_attachment": True}),
    ("file", {"bytes": [1, 2, 3], "filename": "report.pdf"}),
    ("file", {"bytes": [1, 2, 3], "filename": "a\"b\\c.txt", "as_attachment": True}),
    ("file", {"bytes": [1, 2, 3], "filename": "résumé €.txt", "as_attachment": True}),
    ("file", {"bytes": [1, 2, 3], "filename": "archive.tar.gz"}),
    ("file", {"bytes": [1, 2, 3], "filename": "archive.tgz"}),
    ("file", {"bytes": [1, 2, 3], "filename": "x.bz2"}),
    ("file", {"bytes": [1, 2, 3], "filename": "x.txt.xz"}),
    ("file", {"bytes": [1, 2, 3], "filename": "x.js.br"}),
    ("file", {"bytes": [1, 2, 3], "filename": "x.txt.Z"}),
    ("file", {"bytes": [1, 2, 3], "filename": "PHOTO.JPG"}),
    ("file", {"bytes": [1, 2, 3], "filename": "x.unknownext"}),
    ("file", {"bytes": [1, 2, 3], "filename": "noext"}),
    ("file", {"bytes": [1, 2, 3], "filename": ".bashrc"}),
    ("file", {"bytes": [1, 2, 3], "filename": "x.svgz"}),
    ("file", {"bytes": [1, 2, 3], "filename": "x.json", "content_type": "text/plain"}),
    ("file", {"bytes": [1, 2, 3], "filename": "x.json", "content_type": "text/html; charset=utf-8"}),
    ("file", {"bytes": [1, 2, 3], "filename": "a\nb.txt"}),
]

CASES.append(("family", {"kind": "redirect", "url": LONG}))
CASES.append(("family", {"kind": "redirect", "url": "http://example.com/" + "a" * (2048 - 19)}))


def main():
    out = []
    for kind, args in CASES:
        result = run(lambda: KINDS[kind](args))
        out.append({"kind": kind, "args": args, "result": result})
    name = "response.json" if DEFAULT_CHARSET == "utf-8" else "response-%s.json" % DEFAULT_CHARSET
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", name)
    with open(path, "w") as f:
        json.dump({"django": django.get_version(), "python": sys.version.split()[0], "T": T,
                   "DEFAULT_CHARSET": DEFAULT_CHARSET, "cases": out}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
