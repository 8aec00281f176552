"""Django 3.2's default MIDDLEWARE list (the project template's, without messages) end to end, for
test/Defaults.diff.test.ts: the same small site is built with `Defaults.middleware` and every
request of the corpus must get the same status, headers and body, once the random parts (CSRF
tokens, session keys, cookie dates) are replaced by their shape.

Run with the Django 3.2 install: /usr/bin/python3 scripts/django/defaults.py [out.json]
Writes test/fixtures/defaults.json (or out.json).
"""
import json
import re
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="defaults-twin",
    ALLOWED_HOSTS=["testserver"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"],
    SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    LOGGING_CONFIG=None,
)
django.setup()

from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.middleware.csrf import get_token  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


def form(request):
    request.session["visits"] = request.session.get("visits", 0) + 1
    return HttpResponse("token=" + get_token(request))


def submit(request):
    return HttpResponse("posted")


@csrf_exempt
def exempt(request):
    return HttpResponse("exempt " + request.method)


def whoami(request):
    return JsonResponse({"authenticated": request.user.is_authenticated, "visits": request.session.get("visits", 0)})


def big(request):
    return HttpResponse("x" * 300, content_type="text/plain")


urlpatterns = [
    path("form/", form),
    path("submit/", submit),
    path("exempt/", exempt),
    path("whoami/", whoami),
    path("big/", big),
]

# Each scenario runs on a fresh client (cookies carried within it); a step is
# [method, path, {"token": bool, "headers": {...}}].
SCENARIOS = {
    "form, then POST with the token, without it, and to an exempt view": [
        ["GET", "/form/", {}],
        ["POST", "/submit/", {"token": True}],
        ["POST", "/submit/", {"token": False}],
        ["POST", "/exempt/", {"token": False}],
        ["GET", "/whoami/", {}],
    ],
    "the session counts visits": [
        ["GET", "/form/", {}],
        ["GET", "/form/", {}],
        ["GET", "/whoami/", {}],
    ],
    "APPEND_SLASH and 404": [
        ["GET", "/form", {}],
        ["GET", "/form?a=1", {}],
        ["POST", "/exempt", {"token": False}],
        ["GET", "/missing/", {}],
        ["GET", "/missing", {}],
    ],
    "a fresh client's POST, a PUT, a HEAD": [
        ["POST", "/submit/", {"token": False}],
        ["PUT", "/exempt/", {"token": False}],
        ["HEAD", "/big/", {}],
        ["GET", "/big/", {}],
    ],
}

TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def shape_cookie(line):
    name, _, rest = line.partition("=")
    value, _, attributes = rest.partition(";")
    attributes = re.sub(r"expires=[^;]+", "expires=<date>", attributes)
    if name == "csrftoken":
        value = "<token 64>" if TOKEN.fullmatch(value) else value
    elif name == "sessionid":
        value = "<signed session>" if value else value
    return f"{name}={value};{attributes}"


def main():
    out = []
    for title, steps in SCENARIOS.items():
        client = Client(enforce_csrf_checks=True)
        token = None
        answers = []
        for method, url, options in steps:
            data = {}
            if options.get("token") and token is not None:
                data["csrfmiddlewaretoken"] = token
            if method == "POST":
                response = client.post(url, data)
            elif method == "PUT":
                response = client.put(url, "")
            elif method == "HEAD":
                response = client.head(url)
            else:
                response = client.get(url)
            body = response.content.decode()
            if body.startswith("token="):
                token = body[len("token="):]
                body = "token=<token 64>" if TOKEN.fullmatch(token) else body
            headers = {k: v for k, v in response.items()}
            cookies = sorted(shape_cookie(m.OutputString()) for m in response.cookies.values())
            answers.append({
                "method": method,
                "path": url,
                "status": response.status_code,
                "headers": headers,
                "cookies": cookies,
                "body": body if response.status_code != 403 else None,
            })
        out.append({"title": title, "steps": steps, "answers": answers})
    target = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/defaults.json"
    with open(target, "w") as f:
        json.dump({"django": django.get_version(), "scenarios": out}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
