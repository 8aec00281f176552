"""Part 2 of playground.md: sessions, CSRF, users and URL resolution, with Django 3.2 only."""
import json

from django.contrib.auth import authenticate, login as auth_login, logout as auth_logout
from django.http import HttpResponse
from django.urls import NoReverseMatch, Resolver404, resolve as url_resolve, reverse as url_reverse
from django.views.decorators.csrf import csrf_exempt

FIXED_URLCONF = "playground.fixed_urls"


def _json(value, status=200):
    return HttpResponse(json.dumps(value, default=str), content_type="application/json", status=status)


def csrf_failure(request, reason=""):
    return _json({"csrf_failure": reason}, status=403)


@csrf_exempt
def session(request):
    s = request.session
    q = request.GET
    if q.get("flush") == "1":
        s.flush()
    if q.get("cycle") == "1":
        s.cycle_key()
    for item in q.getlist("set"):
        k, _, v = item.partition(":")
        s[k] = v
    for item in q.getlist("setint"):
        k, _, n = item.partition(":")
        s[k] = int(n)
    for k in q.getlist("pop"):
        s.pop(k, None)
    expiry = q.get("expiry")
    if expiry is not None:
        s.set_expiry(None if expiry == "none" else int(expiry))
    if q.get("test_cookie") == "1":
        s.set_test_cookie()
    return _json({
        "items": [[k, v] for k, v in sorted(s.items())],
        "modified": s.modified,
        "is_empty": s.is_empty(),
        "expiry_age": s.get_expiry_age(),
        "browser_close": s.get_expire_at_browser_close(),
        "test_cookie_worked": s.test_cookie_worked(),
    })


def csrf(request):
    if request.method == "GET":
        from django.middleware.csrf import get_token
        return _json({"token": get_token(request)})
    return _json({"ok": True})


def login(request):
    user = authenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
    if user is None:
        return _json({"login": None})
    auth_login(request, user)
    return _json({"login": user.get_username()})


def logout(request):
    auth_logout(request)
    return _json({"logout": True})


def whoami(request):
    return _json({"is_authenticated": request.user.is_authenticated, "username": request.user.get_username()})


def resolve(request):
    try:
        m = url_resolve(request.path_info[len("/resolve"):], urlconf=FIXED_URLCONF)
    except Resolver404:
        return _json({"error": "Resolver404"}, status=404)
    return _json({
        "url_name": m.url_name,
        "app_name": m.app_name,
        "app_names": m.app_names,
        "namespace": m.namespace,
        "namespaces": m.namespaces,
        "view_name": m.view_name,
        "route": m.route,
        "args": list(m.args),
        "kwargs": m.kwargs,
    })


def reverse(request):
    q = request.GET
    args = q.getlist("arg")
    kwargs = dict(item.partition(":")[::2] for item in q.getlist("kw"))
    try:
        url = url_reverse(q.get("name", ""), urlconf=FIXED_URLCONF, args=args or None, kwargs=kwargs or None,
                          current_app=q.get("current_app"))
    except NoReverseMatch:
        return _json({"error": "NoReverseMatch"})
    return _json({"url": url})
