"""The handler's twin in Django 3.2: three middleware that record what they see, a small URLconf,
and a corpus of requests through django.test.Client.

Run with the Django 3.2 install: /usr/bin/python3 scripts/django/handler.py [out.json]
Writes test/fixtures/handler.json (or out.json). test/Handler.diff.test.ts builds the same site
with this library and compares, for every request of the corpus, the status and the trace: which
hook of which middleware saw what, in which order.

The trace lives on the request (each middleware appends to it) and the outermost middleware
reports it in an `X-Trace` header, so that both sides record it the same way.
"""
import json
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["testserver"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[f"{__name__}.A", f"{__name__}.B", f"{__name__}.C"],
    SECRET_KEY="handler-twin",
    LOGGING_CONFIG=None,
)
django.setup()

from django.core.exceptions import (  # noqa: E402
    BadRequest, DisallowedHost, PermissionDenied, SuspiciousOperation,
)
from django.http import Http404, HttpResponse  # noqa: E402
from django.http.multipartparser import MultiPartParserError  # noqa: E402
from django.urls import path  # noqa: E402


def trace(request, line):
    if not hasattr(request, "trace"):
        request.trace = []
    request.trace.append(line)


class Recorder:
    """Records each hook; answers where the request's path asks this middleware to."""

    name = "?"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trace(request, f"{self.name} call")
        if request.path == f"/short/{self.name}/":
            response = HttpResponse(f"short-circuit by {self.name}", status=403)
        elif request.path == f"/fail/{self.name}/":
            raise PermissionDenied("middleware says no")
        elif request.path == f"/crash/{self.name}/":
            raise RuntimeError("middleware bug")
        else:
            response = self.get_response(request)
        trace(request, f"{self.name} response {response.status_code}")
        response[f"X-Seen-{self.name}"] = "1"
        if self.name == "A":
            response["X-Trace"] = json.dumps(request.trace)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        trace(request, f"{self.name} view {view_func.__name__}")
        if request.path == f"/pv/{self.name}/":
            return HttpResponse(f"process_view of {self.name}")
        return None

    def process_exception(self, request, exception):
        trace(request, f"{self.name} exception {type(exception).__name__}")
        if request.path == f"/rescue/{self.name}/":
            return HttpResponse(f"rescued by {self.name}", status=503)
        return None


class A(Recorder):
    name = "A"


class B(Recorder):
    name = "B"


class C(Recorder):
    name = "C"


def ok(request, *args, **kwargs):
    trace(request, "view")
    return HttpResponse("ok")


def raising(exc):
    def view(request, *args, **kwargs):
        trace(request, "view")
        raise exc

    view.__name__ = f"raise_{type(exc).__name__}"
    return view


urlpatterns = [
    path("ok/", ok),
    path("http404/", raising(Http404("missing"))),
    path("permission/", raising(PermissionDenied("denied"))),
    path("suspicious/", raising(SuspiciousOperation("suspicious"))),
    path("disallowed/", raising(DisallowedHost("bad host"))),
    path("badrequest/", raising(BadRequest("bad"))),
    path("multipart/", raising(MultiPartParserError("bad multipart"))),
    path("valueerror/", raising(ValueError("boom"))),
]
for name in "ABC":
    urlpatterns += [
        path(f"short/{name}/", ok),
        path(f"fail/{name}/", ok),
        path(f"crash/{name}/", ok),
        path(f"pv/{name}/", ok),
        path(f"rescue/{name}/", raising(ValueError("rescue me"))),
    ]

CORPUS = [
    ("GET", "/ok/"),
    ("POST", "/ok/"),
    ("GET", "/http404/"),
    ("GET", "/permission/"),
    ("GET", "/suspicious/"),
    ("GET", "/disallowed/"),
    ("GET", "/badrequest/"),
    ("GET", "/multipart/"),
    ("GET", "/valueerror/"),
    ("GET", "/nowhere/"),
    ("GET", "/ok"),
] + [
    (method, f"/{kind}/{name}/")
    for name in "ABC"
    for kind in ("short", "fail", "crash", "pv", "rescue")
    for method in ("GET",)
]


def main():
    from django.test import Client

    client = Client(raise_request_exception=False)
    cases = []
    for method, url in CORPUS:
        response = client.generic(method, url)
        cases.append({
            "method": method,
            "path": url,
            "status": response.status_code,
            "trace": json.loads(response.get("X-Trace", "null")),
            "seen": [name for name in "ABC" if response.has_header(f"X-Seen-{name}")],
            "body": response.content.decode() if response.status_code in (200, 403, 503) else None,
        })
    out = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/handler.json"
    with open(out, "w") as f:
        json.dump({"django": django.get_version(), "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
