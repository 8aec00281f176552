"""Django 3.2 URL resolution and reversal vectors for test/Urls.fixtures.test.ts.

Run with /usr/bin/python3 (the interpreter that has Django 3.2):

    /usr/bin/python3 scripts/django/urls.py

Writes test/fixtures/urls.json. The URLconfs are written here as data ("specs") that this
script turns into Django patterns and the test turns into ours, so both sides route the same
URLconf. Views are functions named after their spec name in a module `fx_views`; converters are
the built-in ones plus the custom ones defined below (the test defines the same).
"""
import json
import os
import sys
import types
import uuid

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="fixture-secret",
    ALLOWED_HOSTS=["testserver", "example.com", ".example.com"],
    ROOT_URLCONF="fx_urls_vec",
    APPEND_SLASH=True,
)
django.setup()

from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import (  # noqa: E402
    NoReverseMatch,
    Resolver404,
    clear_url_caches,
    include,
    path,
    re_path,
    register_converter,
    resolve,
    reverse,
)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "urls.json")


# ---- custom converters (the test defines the same ones) ------------------------------------
class HexConverter:
    regex = "[0-9a-f]+"

    def to_python(self, value):
        return int(value, 16)

    def to_url(self, value):
        return format(value, "x")


class FourDigitYear:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return "%04d" % int(value)


class EvenConverter:
    """Matches digits but refuses odd numbers, both ways (ValueError = no match)."""

    regex = "[0-9]+"

    def to_python(self, value):
        n = int(value)
        if n % 2:
            raise ValueError("odd")
        return n

    def to_url(self, value):
        if int(value) % 2:
            raise ValueError("odd")
        return str(value)


register_converter(HexConverter, "hex")
register_converter(FourDigitYear, "yyyy")
register_converter(EvenConverter, "even")

views = types.ModuleType("fx_views")
sys.modules["fx_views"] = views


def view_named(name):
    if not hasattr(views, name):
        def v(request, *args, **kwargs):
            return HttpResponse(name)

        v.__name__ = v.__qualname__ = name
        v.__module__ = "fx_views"
        setattr(views, name, v)
    return getattr(views, name)


# ---- specs ---------------------------------------------------------------------------------
# ["path"|"re_path", route, view-or-include, {name, kwargs}]
# an include is {"include": [...specs], "app_name": ..., "namespace": ...}


def P(route, target, name=None, kwargs=None):
    return ["path", route, target, {"name": name, "kwargs": kwargs}]


def R(regex, target, name=None, kwargs=None):
    return ["re_path", regex, target, {"name": name, "kwargs": kwargs}]


def I(specs, app_name=None, namespace=None):
    return {"include": specs, "app_name": app_name, "namespace": namespace}


shop = [P("", "shop_index", "index"), P("product/<int:pk>/", "product", "product")]

VEC = [
    P("", "home", "home"),
    P("articles/<int:year>/", "article_year", "article-year"),
    P("articles/<int:year>/<slug:slug>/", "article_detail", "article-detail"),
    P("pages/<path:path>", "page", "page"),
    P("items/<uuid:uuid>/", "item", "item"),
    P("hex/<hex:value>/", "hex_view", "hex"),
    R(r"^legacy/(\d+)/(\d+)/$", "legacy", "legacy-positional"),
    R(r"^legacy/(?P<a>\d+)-(\d+)/$", "legacy", "legacy-mixed"),
    P("shop/", I(shop, "shop")),
    P("eu-shop/", I(shop, "shop", "eu-shop")),
    P("api/<str:version>/", I([P("users/<int:id>/", "user", "user")])),
    P("about/", "about", "about", {"section": "about"}),
    P("noname/", "noname"),
]

articles = [
    P("", "view", "index"),
    P("<yyyy:year>/", "view", "year"),
    P("<yyyy:year>/<int:month>/", "view", "month"),
    P("<yyyy:year>/<int:month>/<slug:slug>/", "view", "detail"),
]

PLAYGROUND = [
    P("", "view", "home"),
    P("articles/", I(articles, "articles")),
    P("archive/", I(articles, "articles", "archive")),
    P("users/<int:id>/", "view", "user"),
    P("users/<str:username>/", "view", "user-by-name"),
    P("files/<path:rest>", "view", "file"),
    P("items/<uuid:uid>/", "view", "item"),
    R(r"^legacy/(?P<code>[a-z]{3})-(\d+)/$", "view", "legacy"),
    R(r"^old/(\d+)/(\d+)/$", "view", "old"),
    P("api/", I([P("v1/<int:pk>/", "view", "v1"), P("v1/", "view", "v1-root")])),
    P("dup/", "view", "dup"),
    P("dup2/", "view", "dup"),
    P("caf\u00e9/", "view", "cafe"),
]

inner = [P("", "dv", "index")]
DUP = [
    P("a/", "dv", "dup"),
    P("b/", "dv", "dup"),
    P("one/", I(inner, "app", "a1")),
    P("two/", I(inner, "app", "a2")),
    P("p/<int:x>/", "dv", "multi"),
    P("q/<str:y>/", "dv", "multi"),
]

CATCHALL = [P("<path:rest>", "page", "catch")]

deep = [
    P("", "deep_index", "index"),
    P("leaf/<int:n>/", "deep_leaf", "leaf"),
]
middle = [
    P("", "mid_index", "index"),
    P("deep/", I(deep, "deep")),
    P("deep2/", I(deep, "deep", "deep-b")),
    P("plain/", I([P("x/<slug:s>/", "mid_x", "x")])),
]
blog = [
    P("", "blog_index", "index"),
    P("<int:pk>/", "blog_post", "post"),
    R(r"^tag/(?P<tag>[\w-]+)/$", "blog_tag", "tag"),
]

EXTRA = [
    P("", "home", "home"),
    P("m/", I(middle, "mid")),
    P("m2/", I(middle, "mid", "mid-b")),
    P("blog/", I(blog, "blog")),
    P("blog-en/", I(blog, "blog", "blog-en")),
    P("blog-fr/", I(blog, "blog", "blog-fr"), kwargs={"lang": "fr"}),
    P("<int:year>/news/", I([P("<int:month>/", "news", "news")])),
    P("even/<even:n>/", "even_view", "even"),
    P("even/<int:n>/", "odd_fallback", "even-fallback"),
    P("files/<path:p>/edit/", "file_edit", "file-edit"),
    P("files/<path:p>", "file_view", "file-view"),
    P("over/<int:x>/", "over", "over", {"x": 99}),
    P("extra/<slug:s>/", "extra", "extra", {"flag": True, "n": 3}),
    R(r"^re/(?P<y>[0-9]{4})/(?:page-(?P<page>\d+)/)?$", "re_opt", "re-opt"),
    R(r"^pos/(\d+)(?:/(\w+))?/$", "re_pos_opt", "re-pos-opt"),
    R(r"^outer/(\d+)/", I([R(r"^inner/(\d+)/$", "outer_inner", "outer-inner")])),
    R(r"^mix/(\d+)/", I([R(r"^n/(?P<k>\d+)/$", "mix_named", "mix-named")])),
    R(r"^kw/(?P<a>\d+)/", I([R(r"^(\d+)/$", "kw_pos", "kw-pos")])),
    R(r"^unanchored/\d+/$", "unanchored", "unanchored"),
    R(r"^alt/(?:one|two)/$", "alt", "alt"),
    R(r"^esc\.dot/\$/$", "escaped", "escaped"),
    R(r"^quant/a{3}b?/$", "quant", "quant"),
    P("caf\u00e9/<str:s>/", "cafe", "cafe"),
    P("\u65e5\u672c/", "nihon", "nihon"),
    P("space here/", "space", "space"),
    P("a.b+c/", "special", "special"),
    P("slash-end", "noslash", "noslash"),
    P("slash-end/", "withslash", "withslash"),
    P("<slug:s>.html", "html", "html"),
    P("items/<uuid:id>/", "item", "item"),
    P("hex/<hex:h>/", "hex_view", "hex"),
    P("y/<yyyy:y>/", "yyyy", "yyyy"),
    P("u/<str:name>/", "user", "user"),
    P("u/<int:id>/", "user_id", "user"),
    R(r"^prefix/", "prefix_view", "prefix"),
    R(r"zz/", I([R(r"^(?P<q>\w+)/$", "zz_inner", "zz")])),
    R(r"^tail\Z", "tail", "tail"),
    P("", I([P("late/<int:n>/", "late", "late")])),
]

SPECS = {"vec": VEC, "playground": PLAYGROUND, "dup": DUP, "catchall": CATCHALL, "extra": EXTRA}


def build(specs):
    out = []
    for kind, route, target, opts in specs:
        fn = path if kind == "path" else re_path
        if isinstance(target, dict):
            arg = (build(target["include"]), target["app_name"]) if target["app_name"] else build(target["include"])
            tgt = include(arg, namespace=target["namespace"])
        else:
            tgt = view_named(target)
        args = [route, tgt]
        if opts.get("kwargs") is not None:
            args.append(opts["kwargs"])
        out.append(fn(*args, name=opts.get("name")))
    return out


for key, specs in SPECS.items():
    mod = types.ModuleType("fx_urls_" + key)
    mod.urlpatterns = build(specs)
    sys.modules["fx_urls_" + key] = mod


def jsonable(v):
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, tuple):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    return v


def tried_json(tried):
    return [[str(p.pattern) for p in t] for t in tried]


def resolve_case(conf, p):
    case = {"urlconf": conf, "path": p}
    try:
        m = resolve(p, urlconf="fx_urls_" + conf)
    except Resolver404 as e:
        d = e.args[0]
        case["error"] = "Resolver404"
        case["remaining"] = d["path"]
        case["tried"] = tried_json(d["tried"]) if "tried" in d else None
        return case
    case["match"] = {
        "func": m.func.__name__,
        "args": jsonable(m.args),
        "kwargs": jsonable(m.kwargs),
        "url_name": m.url_name,
        "route": m.route,
        "app_names": m.app_names,
        "app_name": m.app_name,
        "namespaces": m.namespaces,
        "namespace": m.namespace,
        "view_name": m.view_name.replace("fx_views.", ""),
        "tried": tried_json(m.tried),
    }
    return case


def reverse_case(conf, name, args=None, kwargs=None, current_app=None, prefix=None, by_view=False):
    case = {"urlconf": conf, "name": name}
    if args is not None:
        case["args"] = args
    if kwargs is not None:
        case["kwargs"] = kwargs
    if current_app is not None:
        case["current_app"] = current_app
    if prefix is not None:
        case["prefix"] = prefix
    if by_view:
        case["by_view"] = True
    target = view_named(name) if by_view else name
    from django.urls import set_script_prefix, clear_script_prefix

    if prefix is not None:
        set_script_prefix(prefix)
    try:
        case["url"] = reverse(target, urlconf="fx_urls_" + conf, args=args, kwargs=kwargs, current_app=current_app)
    except NoReverseMatch as e:
        case["error"] = "NoReverseMatch"
        case["message"] = str(e).replace("fx_views.", "")
    except ValueError as e:
        case["error"] = "ValueError"
        case["message"] = str(e)
    except Exception as e:  # a crash inside Django (e.g. KeyError for a default that is a route parameter)
        case["error"] = "crash:" + type(e).__name__
        case["message"] = str(e)
    finally:
        clear_script_prefix()
    return case


resolve_paths = {
    "vec": [
        "/", "/articles/2024/", "/articles/2024/hello-world/", "/pages/a/b/c.html",
        "/items/12345678-1234-5678-1234-567812345678/", "/hex/ff/", "/legacy/12/34/", "/legacy/12-34/",
        "/shop/", "/shop/product/5/", "/eu-shop/product/5/", "/api/v2/users/7/", "/about/", "/noname/",
        "/articles/x/", "no-leading-slash", "/articles/2024", "/articles/02024/",
        "/items/12345678-1234-5678-1234-56781234567Z/", "/pages/", "/shop/product/x/", "/api/v2/users/",
        "/api//users/1/", "/hex/FF/", "/legacy/1/2", "/legacy/1/2/\n", "/pages/a%20b", "/pages/\u00e9/\u00fc",
        "", "//", "/shop", "/eu-shop/", "/eu-shop/product/007/", "/articles/0/", "/about/x",
    ],
    "playground": [
        "/", "/articles/", "/articles/2024/", "/articles/2024/1/", "/articles/2024/01/hello/", "/archive/1999/12/x-y/",
        "/articles/24/", "/articles/02024/", "/users/5/", "/users/bob/", "/users/05/", "/files/a/b/c",
        "/files/", "/files//", "/items/12345678-1234-5678-1234-567812345678/", "/legacy/abc-12/",
        "/legacy/ab-12/", "/legacy/abc-/", "/old/1/2/", "/old/1/2", "/api/v1/3/", "/api/v1/", "/api/v2/",
        "/dup/", "/dup2/", "/caf\u00e9/", "/cafe/", "/caf%C3%A9/", "/users/\u00e9\u00e8/", "/users/a b/",
        "/users/%2F/", "/files/%2e%2e/x", "/legacy/ABC-1/", "/articles/2024/13/", "/articles/0000/0/",
        "/users/99999999999/", "/archive/", "/old//",
    ],
    "dup": ["/a/", "/b/", "/one/", "/two/", "/p/3/", "/q/w/", "/p/x/", "/q//", "/three/"],
    "catchall": ["/", "/x", "/evil.com/x", "//evil.com/x", "/a/b/c/", "/\u00e9"],
    "extra": [
        "/", "/m/", "/m/deep/", "/m/deep/leaf/3/", "/m/deep2/leaf/4/", "/m2/deep/leaf/5/", "/m2/deep2/",
        "/m/plain/x/s-1/", "/m2/plain/x/s-2/", "/blog/", "/blog/3/", "/blog/tag/caf\u00e9-x/", "/blog-en/3/",
        "/blog-fr/3/", "/blog-fr/tag/t/", "/2024/news/5/", "/2024/news/", "/even/4/", "/even/3/",
        "/even/04/", "/files/a/b/edit/", "/files/a/b/edit", "/files/edit/", "/files//edit/", "/over/5/",
        "/extra/s/", "/re/2024/", "/re/2024/page-3/", "/re/2024/page-/", "/pos/12/", "/pos/12/ab/",
        "/pos/12/\u00e9\u00e8/", "/pos/\u0663\u0664/", "/outer/1/inner/2/", "/mix/1/n/2/", "/kw/1/2/",
        "/unanchored/1/", "/xunanchored/1/", "/alt/one/", "/alt/two/", "/alt/three/", "/esc.dot/$/",
        "/escxdot/$/", "/quant/aaa/", "/quant/aaab/", "/quant/aa/", "/caf\u00e9/x/", "/\u65e5\u672c/",
        "/space here/", "/a.b+c/", "/axb+c/", "/slash-end", "/slash-end/", "/page.html", "/page.htm",
        "/items/00000000-0000-0000-0000-000000000001/", "/hex/ff/", "/hex/g/", "/y/0999/", "/y/999/",
        "/u/bob/", "/u/5/", "/m/nope/", "/blog/tag/a b/", "/pos/1/a\n/", "/outer/1/inner/x/",
        "/m/deep/leaf/", "/blog-fr/", "/mix/1/n/x/", "/prefix/", "/prefix/any/thing", "/prefix", "/zz/a/",
        "/xxzz/a/", "/a/zz/b/", "/zz/a/b/", "/tail", "/tail/", "/tail\n", "/late/3/", "/late/x/",
    ],
}

U1 = "12345678-1234-5678-1234-567812345678"

reverse_specs = [
    # vec
    ("vec", "home", {}), ("vec", "article-year", dict(args=[2024])), ("vec", "article-year", dict(kwargs={"year": 2024})),
    ("vec", "article-year", dict(kwargs={"year": "2024"})), ("vec", "article-year", dict(kwargs={"year": "02024"})),
    ("vec", "article-detail", dict(args=[2024, "hello-world"])), ("vec", "page", dict(kwargs={"path": "a/b/c.html"})),
    ("vec", "item", dict(args=[U1])), ("vec", "hex", dict(args=[255])), ("vec", "legacy-positional", dict(args=[1, 2])),
    ("vec", "legacy-mixed", dict(kwargs={"a": 1, "_0": 2})), ("vec", "legacy-mixed", dict(args=[1, 2])),
    ("vec", "legacy-mixed", dict(kwargs={"a": 1})),
    ("vec", "shop:index", {}), ("vec", "shop:product", dict(args=[5])), ("vec", "eu-shop:product", dict(args=[5])),
    ("vec", "shop:product", dict(args=[5], current_app="eu-shop")), ("vec", "shop:product", dict(args=[5], current_app="shop")),
    ("vec", "shop:product", dict(args=[5], current_app="nope")), ("vec", "eu-shop:product", dict(args=[5], current_app="shop")),
    ("vec", "user", dict(kwargs={"version": "v1", "id": 3})), ("vec", "user", dict(args=["v1", 3])),
    ("vec", "about", {}), ("vec", "about", dict(kwargs={"section": "about"})), ("vec", "about", dict(kwargs={"section": "other"})),
    ("vec", "nope", {}), ("vec", "article-year", dict(args=["abc"])), ("vec", "article-year", dict(kwargs={"y": 1})),
    ("vec", "article-detail", dict(args=[1])), ("vec", "home", dict(args=[1])), ("vec", "nope:home", {}),
    ("vec", "shop:nope:x", {}), ("vec", "article-year", dict(args=[1], kwargs={"year": 1})),
    ("vec", "shop:nope", {}), ("vec", "eu-shop:index", {}), ("vec", "article-year", dict(args=[-1])),
    ("vec", "article-year", dict(args=[True])), ("vec", "article-detail", dict(kwargs={"year": 1, "slug": "a b"})),
    ("vec", "page", dict(kwargs={"path": "a b"})), ("vec", "page", dict(kwargs={"path": "caf\u00e9"})),
    ("vec", "page", dict(kwargs={"path": "x?y#z"})), ("vec", "page", dict(kwargs={"path": "100%"})),
    ("vec", "page", dict(kwargs={"path": "!$&'()*+,;=:@~"})), ("vec", "page", dict(kwargs={"path": "a/b"})),
    ("vec", "page", dict(kwargs={"path": "\U0001F600"})), ("vec", "page", dict(kwargs={"path": "/x"})),
    ("vec", "page", dict(kwargs={"path": "[]{}|\\^`\"<>"})), ("vec", "page", dict(kwargs={"path": ""})),
    ("vec", "item", dict(args=[U1.upper()])), ("vec", "hex", dict(args=["ff"])),
    ("vec", "article-year", dict(args=[1999], prefix="/mount/")), ("vec", "shop:index", dict(prefix="/mount/")),
    ("vec", "page", dict(kwargs={"path": "x"}, prefix="/caf\u00e9 x/")),
    ("vec", "noname", dict(by_view=True)), ("vec", "legacy", dict(by_view=True, args=[1, 2])),
    ("vec", "product", dict(by_view=True, args=[1])), ("vec", "user", dict(by_view=True, kwargs={"version": "v", "id": 1})),
    # playground
    ("playground", "home", {}), ("playground", "articles:index", {}), ("playground", "archive:index", {}),
    ("playground", "articles:year", dict(args=["2024"])), ("playground", "articles:year", dict(args=[24])),
    ("playground", "articles:year", dict(kwargs={"year": "24"})), ("playground", "articles:month", dict(args=["2024", "1"])),
    ("playground", "articles:detail", dict(kwargs={"year": "2024", "month": "1", "slug": "x"})),
    ("playground", "articles:detail", dict(kwargs={"year": "2024", "month": "1", "slug": "x y"})),
    ("playground", "archive:detail", dict(args=["99", "12", "s"])),
    ("playground", "articles:year", dict(args=["2024"], current_app="archive")),
    ("playground", "articles:year", dict(args=["2024"], current_app="articles")),
    ("playground", "articles:year", dict(args=["abcd"])), ("playground", "user", dict(args=["5"])),
    ("playground", "user", dict(args=["x"])), ("playground", "user-by-name", dict(args=["x/y"])),
    ("playground", "user-by-name", dict(args=["caf\u00e9"])), ("playground", "file", dict(args=["a/b c"])),
    ("playground", "file", dict(args=["/abs"])), ("playground", "item", dict(args=[U1])),
    ("playground", "item", dict(args=["nope"])), ("playground", "legacy", dict(kwargs={"code": "abc", "_0": "12"})),
    ("playground", "legacy", dict(args=["abc", "12"])), ("playground", "legacy", dict(kwargs={"code": "abc"})),
    ("playground", "legacy", dict(kwargs={"code": "ab", "_0": "1"})), ("playground", "old", dict(args=["1", "2"])),
    ("playground", "old", dict(args=["1"])), ("playground", "old", dict(kwargs={"_0": "1", "_1": "2"})),
    ("playground", "v1", dict(args=["3"])), ("playground", "v1-root", {}), ("playground", "dup", {}),
    ("playground", "cafe", {}), ("playground", "articles:nope", {}), ("playground", "nope:index", {}),
    ("playground", "articles:index", dict(current_app="archive")), ("playground", "archive:index", dict(current_app="articles")),
    ("playground", "articles:month", dict(kwargs={"year": "2024", "month": "x"})),
    # dup
    ("dup", "dup", {}), ("dup", "dv", dict(by_view=True)), ("dup", "app:index", {}),
    ("dup", "app:index", dict(current_app="a1")), ("dup", "app:index", dict(current_app="a2")),
    ("dup", "a1:index", {}), ("dup", "a2:index", {}), ("dup", "multi", dict(args=[3])), ("dup", "multi", dict(kwargs={"x": 3})),
    ("dup", "multi", dict(kwargs={"y": "w"})), ("dup", "multi", dict(args=["w"])), ("dup", "multi", dict(kwargs={"z": 1})),
    ("dup", "app:index", dict(current_app="a3")), ("dup", "a3:index", {}),
    # catchall
    ("catchall", "catch", dict(kwargs={"rest": "/evil.com/x"})), ("catchall", "catch", dict(kwargs={"rest": "x"})),
    ("catchall", "catch", dict(kwargs={"rest": "//x"})), ("catchall", "catch", dict(kwargs={"rest": "/x"}, prefix="/p/")),
    # extra
    ("extra", "home", {}), ("extra", "mid:index", {}), ("extra", "mid-b:index", {}), ("extra", "mid:deep:index", {}),
    ("extra", "mid:deep:leaf", dict(args=[1])), ("extra", "mid:deep-b:leaf", dict(args=[1])),
    ("extra", "mid-b:deep:leaf", dict(args=[1])), ("extra", "mid:deep:leaf", dict(args=[1], current_app="mid-b:deep-b")),
    ("extra", "mid:deep:leaf", dict(args=[1], current_app="mid-b")), ("extra", "mid:deep:leaf", dict(args=[1], current_app="mid:deep-b")),
    ("extra", "mid:x", dict(args=["s"])), ("extra", "mid-b:x", dict(kwargs={"s": "t"})), ("extra", "mid:nope:x", {}),
    ("extra", "mid:deep:nope", {}), ("extra", "blog:index", {}), ("extra", "blog:post", dict(args=[1])),
    ("extra", "blog:post", dict(args=[1], current_app="blog-en")), ("extra", "blog-fr:post", dict(args=[1])),
    ("extra", "blog-fr:post", dict(kwargs={"pk": 1, "lang": "fr"})), ("extra", "blog-fr:tag", dict(kwargs={"tag": "x"})),
    ("extra", "blog:tag", dict(kwargs={"tag": "caf\u00e9"})), ("extra", "blog:tag", dict(args=["a-b"])),
    ("extra", "news", dict(args=[2024, 5])), ("extra", "news", dict(kwargs={"year": 2024, "month": 5})),
    ("extra", "news", dict(kwargs={"year": 2024})), ("extra", "even", dict(args=[4])), ("extra", "even", dict(args=[3])),
    ("extra", "even-fallback", dict(args=[3])), ("extra", "file-edit", dict(args=["a/b"])), ("extra", "file-view", dict(args=["a/b"])),
    ("extra", "over", {}), ("extra", "over", dict(kwargs={"x": 99})), ("extra", "over", dict(kwargs={"x": 5})),
    ("extra", "over", dict(args=[5])), ("extra", "extra", dict(args=["s"])), ("extra", "extra", dict(kwargs={"s": "s", "flag": True})),
    ("extra", "extra", dict(kwargs={"s": "s", "flag": 1, "n": 3.0})), ("extra", "extra", dict(kwargs={"s": "s", "flag": False})),
    ("extra", "re-opt", dict(kwargs={"y": "2024"})), ("extra", "re-opt", dict(kwargs={"y": "2024", "page": "3"})),
    ("extra", "re-opt", dict(args=["2024"])), ("extra", "re-opt", dict(args=["2024", "3"])), ("extra", "re-opt", dict(kwargs={"y": "24"})),
    ("extra", "re-pos-opt", dict(args=["1"])), ("extra", "re-pos-opt", dict(args=["1", "x"])), ("extra", "re-pos-opt", dict(args=["1", "x", "y"])),
    ("extra", "outer-inner", dict(args=[1, 2])), ("extra", "outer-inner", dict(args=[1])), ("extra", "mix-named", dict(kwargs={"k": 2, "_0": 1})),
    ("extra", "mix-named", dict(args=[1, 2])), ("extra", "kw-pos", dict(kwargs={"a": 1, "_0": 2})), ("extra", "kw-pos", dict(args=[1, 2])),
    ("extra", "unanchored", {}), ("extra", "alt", {}), ("extra", "escaped", {}), ("extra", "quant", {}),
    ("extra", "cafe", dict(args=["x"])), ("extra", "nihon", {}), ("extra", "space", {}), ("extra", "special", {}),
    ("extra", "noslash", {}), ("extra", "withslash", {}), ("extra", "html", dict(args=["page"])), ("extra", "html", dict(args=["a.b"])),
    ("extra", "item", dict(args=[U1])), ("extra", "hex", dict(args=[4096])), ("extra", "hex", dict(kwargs={"h": 0})),
    ("extra", "yyyy", dict(args=[999])), ("extra", "yyyy", dict(args=["999"])), ("extra", "yyyy", dict(args=[12345])),
    ("extra", "user", dict(args=["bob"])), ("extra", "user", dict(args=[5])), ("extra", "user", dict(kwargs={"id": 5})),
    ("extra", "user", dict(kwargs={"name": "bob"})), ("extra", "user", dict(kwargs={"name": "bob", "id": 1})),
    ("extra", "user", dict(kwargs={})), ("extra", "home", dict(kwargs={"x": None})),
    ("extra", "blog:post", dict(args=[1], current_app="blog-fr")), ("extra", "blog", {}), ("extra", ":home", {}),
    ("extra", "mid::index", {}), ("extra", "", {}), ("extra", "prefix", {}), ("extra", "zz", dict(kwargs={"q": "w"})),
    ("extra", "tail", {}), ("extra", "late", dict(args=[3])),
]

cases_resolve = []
for conf, paths in resolve_paths.items():
    for p in paths:
        cases_resolve.append(resolve_case(conf, p))

cases_reverse = []
for conf, name, kw in reverse_specs:
    kw = dict(kw)
    cases_reverse.append(reverse_case(conf, name, **kw))

# Every URL reversed above resolves back (the resolve side of the round trip, with Django's answer).
for c in list(cases_reverse):
    if "url" in c and "prefix" not in c:
        from urllib.parse import unquote

        cases_resolve.append(resolve_case(c["urlconf"], unquote(c["url"])))

# Random paths over each URLconf's vocabulary (deterministic): the indexed search must agree
# with Django wherever the path lands.
import random  # noqa: E402

rng = random.Random(16)
VOCAB = {
    "vec": ["articles", "2024", "02024", "x", "hello-world", "pages", "a", "items", "hex", "ff", "legacy", "12",
            "12-34", "shop", "eu-shop", "product", "5", "api", "v2", "users", "7", "about", "noname", ""],
    "playground": ["articles", "archive", "2024", "1", "x-y", "users", "5", "bob", "files", "legacy", "abc-12", "old",
                   "api", "v1", "3", "dup", "dup2", "caf\u00e9", "items", ""],
    "extra": ["m", "m2", "deep", "deep2", "leaf", "3", "plain", "x", "s-1", "blog", "blog-en", "blog-fr", "tag", "t",
              "2024", "news", "5", "even", "4", "files", "a", "edit", "over", "extra", "re", "page-3", "pos", "12",
              "outer", "inner", "mix", "n", "kw", "alt", "one", "quant", "aaa", "u", "bob", "y", "0999", "hex", "ff",
              "page.html", "slash-end", "caf\u00e9", ""],
}
for conf, vocab in VOCAB.items():
    seen = set()
    while len(seen) < 60:
        parts = [rng.choice(vocab) for _ in range(rng.randint(1, 4))]
        p = "/" + "/".join(parts) + ("/" if rng.random() < 0.7 else "")
        if p not in seen:
            seen.add(p)
            cases_resolve.append(resolve_case(conf, p))

# path_info as the request builds it from a percent-encoded URL, then resolved.
rf = RequestFactory()
path_info = []
for raw in ["/caf%C3%A9/", "/users/caf%C3%A9/", "/files/a%2Fb", "/files/%E2%82%AC%20x", "/users/%FF/", "/articles/2024/1/a%2Db/"]:
    req = rf.get(raw)
    path_info.append({"raw": raw, "path_info": req.path_info})
    cases_resolve.append(resolve_case("playground", req.path_info))

# route -> regex (V45) and bad routes
routes = []
for route, ep in [("articles/<int:year>/", True), ("pages/<path:path>", True), ("api/<str:version>/", False),
                  ("items/<uuid:uuid>/", True), ("<slug:s>.html", True), ("<x>", True), ("a.b+c/<hex:h>", True),
                  ("space here/", True), ("caf\u00e9/", True), ("$&~#-/", True), ("<yyyy:y>", False)]:
    from django.urls.resolvers import _route_to_regex

    routes.append({"route": route, "endpoint": ep, "regex": _route_to_regex(route, ep)[0]})

bad_routes = []
for route in ["<int:>/", "<bad:x>/", "<int: x>/", "<1x>/", "<int:x-y>/", "a/<x>/<y z>/"]:
    try:
        path(route, view_named("bad"))
        bad_routes.append({"route": route, "ok": True})
    except Exception as e:
        bad_routes.append({"route": route, "error": type(e).__name__, "message": str(e)})

# ---- Python regex semantics the translation must keep (re.search on str) ----------------------
import re  # noqa: E402

REGEXES = [
    r"^a/(?P<x>\d+)/$", r"^(\w+)-(\w+)$", r"^\s+$", r"^a.b$", r"^caf\u00e9$", r"^x{2,}$", r"^x{,2}y$", r"^{a}$",
    r"^[^/]+\Z", r"^[\d\-]+$", r"^(?:ab)+$", r"^(?P<a>[a-z])(?P=a)$", r"^(a)?b$", r"^a|b$", r"b$", r"^\$\.\^$",
    r"^[]a]+$", r"^[\w.]+$", r"^\x41\u00e9\U0001F600$", r"^a\b", r"^(?#comment)z$", r"^(?=a)\w+$", r"^(?!a)\w+$",
    r"^\W+$", r"^\S+$", r"^\D+$",
    # escapes on both sides of [...]: classes, a backspace, numeric escapes and ranges, literals
    r"^[\s\w]+$", r"^[\b]$", r"^[\x41\u00e9-\u00ea]+$", r"^[\]\-\\]+$", r"^[.\/]+$", r"^\/\-$",
    r"^(a)\1$", r"\Aa\B", r"^\t?\a?x$", r"^[\t\n]b$",
]
SUBJECTS = ["a/12/", "a/12/\n", "a/\u0663\u0664/", "ab-cd", "\u00e9t\u00e9-\u4e2d", " \t\x1c\x85", "\u00a0\u3000",
            "a\rb", "a\nb", "caf\u00e9", "xx", "x", "y", "xxy", "{a}", "abc", "a/b", "12-3", "abab", "aa", "ab", "b",
            "a", "$.^", "]a]", "a.b_c", "A\u00e9\U0001F600", "a b", "z", "!!", "\u00e9", "x", "ba", "\u0663",
            "\x08", "\t\x07x", "A\u00ea", "]-\\", "./", "/-", "\tb", "ac", "a_b1"]
regex_cases = []
for rx in REGEXES:
    compiled = re.compile(rx)
    for subj in SUBJECTS:
        m = compiled.search(subj)
        regex_cases.append({
            "regex": rx,
            "subject": subj,
            "match": None if m is None else {"span": list(m.span()), "groups": list(m.groups()), "named": m.groupdict()},
        })

# ---- CommonMiddleware (V56) on the "vec" URLconf (ROOT_URLCONF) -------------------------------
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.middleware.common import CommonMiddleware  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.views.decorators.common import no_append_slash  # noqa: E402

common = []


def common_case(method, p, settings_over=None, host=None, agent=None, status=None):
    case = {"method": method, "path": p, "settings": settings_over or {}}
    extra = {}
    if host is not None:
        case["host"] = host
        extra["HTTP_HOST"] = host
    if agent is not None:
        case["agent"] = agent
        extra["HTTP_USER_AGENT"] = agent
    if status is not None:
        case["status"] = status
    over = dict(settings_over or {})
    with override_settings(**over):
        resp_status = status or 200
        mw = CommonMiddleware(lambda r: HttpResponse("hello", status=resp_status))
        req = getattr(RequestFactory(), method.lower())(p, **extra)
        try:
            r = mw(req)
            case["status_out"] = r.status_code
            if r.status_code in (301, 302):
                case["location"] = r["Location"]
            else:
                case["content_length"] = r.get("Content-Length")
        except RuntimeError as e:
            case["error"] = "RuntimeError"
            case["message"] = str(e)
        except PermissionDenied as e:
            case["error"] = "PermissionDenied"
            case["message"] = str(e)
    common.append(case)


for p in ["/articles/2024", "/articles/2024?x=1&y=%C3%A9", "/nothing", "/pages/a", "/articles/2024/", "/shop",
          "/shop/product/5", "/caf%C3%A9", "/", "/noname"]:
    common_case("GET", p)
common_case("GET", "/articles/2024", {"PREPEND_WWW": True}, host="example.com")
common_case("GET", "/articles/2024/", {"PREPEND_WWW": True}, host="example.com")
common_case("GET", "/articles/2024/", {"PREPEND_WWW": True}, host="www.example.com")
common_case("GET", "/nothing?q=1", {"PREPEND_WWW": True}, host="example.com")
common_case("POST", "/articles/2024", {"DEBUG": True})
common_case("PUT", "/articles/2024?a=b", {"DEBUG": True})
common_case("POST", "/articles/2024", {"DEBUG": False})
common_case("DELETE", "/articles/2024", {"DEBUG": True})
common_case("GET", "/articles/2024", {"APPEND_SLASH": False})
common_case("GET", "/articles/2024/", {}, status=404)
common_case("GET", "/x", {"DISALLOWED_USER_AGENTS": [__import__("re").compile(r"^Bad")]}, agent="BadBot/1.0")
common_case("GET", "/x", {"DISALLOWED_USER_AGENTS": [__import__("re").compile(r"^Bad")]}, agent="GoodBot Bad")
common_case("GET", "/x", {"DISALLOWED_USER_AGENTS": [__import__("re").compile(r"bot\d")]}, agent="a bot7")

with open(OUT, "w", encoding="utf-8") as f:
    json.dump(
        {
            "django": django.get_version(),
            "specs": SPECS,
            "resolve": cases_resolve,
            "reverse": cases_reverse,
            "pathInfo": path_info,
            "routes": routes,
            "badRoutes": bad_routes,
            "regex": regex_cases,
            "common": [
                {**c, "settings": {k: ([r.pattern for r in v] if k == "DISALLOWED_USER_AGENTS" else v)
                                   for k, v in c["settings"].items()}}
                for c in common
            ],
        },
        f,
        ensure_ascii=False,
        indent=1,
    )
    f.write("\n")
print("resolve", len(cases_resolve), "reverse", len(cases_reverse))
