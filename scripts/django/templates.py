"""Django 3.2 vectors for test/Templates.test.ts and test/TemplateResponse.test.ts.

Run with /usr/bin/python3 (the interpreter that has Django 3.2):

    /usr/bin/python3 scripts/django/templates.py

Writes test/fixtures/templates.json: a tree of template files (DIRS plus two apps), written to a
temporary directory and rendered by Django's engine; the tests write the same tree and render it
with ours. The templates use only the syntax Django and Nunjucks share (extends, block, include,
for, if, |safe, |escape), so outputs must match byte for byte. Also V73 (deferred rendering).
"""
import json
import os
import sys
import tempfile

TREE = {
    "templates/base.html": "<title>{% block title %}Site{% endblock %}</title>\n<main>{% block content %}{% endblock %}</main>\n",
    "templates/page.html": '{% extends "base.html" %}{% block title %}{{ title }}{% endblock %}'
    '{% block content %}{% include "part.html" %}{% endblock %}',
    "templates/part.html": "<p>{{ body }}</p>",
    "templates/shadow.html": "from DIRS",
    "templates/escape.html": "{{ x }}|{{ x|safe }}|{{ x|escape }}|{{ missing }}.",
    "templates/loop.html": "{% for i in items %}<li>{{ i }}</li>{% endfor %}{% if flag %}yes{% else %}no{% endif %}",
    "templates/includes-missing.html": 'a\n{% include "nope.html" %}\n',
    "templates/extends-missing.html": '{% extends "nope.html" %}',
    "templates/unknown-tag.html": "line 1\n{% frob %}\n",
    "templates/unknown-filter.html": "line 1\nline 2\n{{ x|nofilter }}\n",
    "templates/includes-bad.html": 'a\n{% include "unknown-tag.html" %}\n',
    "templates/unclosed.html": "a\n{% if x %}\nno end\n",
    "templates/unclosed-outer.html": "{% for i in x %}\n{% if y %}{% endif %}\n",
    "templates/escape-outside.html": '{% include "../secret.html" %}',
    "secret.html": "secret",
    "blog/__init__.py": "",
    "blog/templates/shadow.html": "from blog",
    "blog/templates/shared.html": "shared from blog",
    "blog/templates/blog/post.html": '{% extends "base.html" %}{% block content %}<h1>{{ title }}</h1>{{ html|safe }}{% endblock %}',
    "shop/__init__.py": "",
    "shop/templates/shared.html": "shared from shop",
    "shop/templates/shop/item.html": '{% include "part.html" %}:{% include "shared.html" %}',
}

CASES = [
    {"template": "page.html", "context": {"title": "A & B", "body": '<script>alert("x")</script>'}},
    {"template": "escape.html", "context": {"x": '<b class="c">&amp;</b>'}},
    {"template": "loop.html", "context": {"items": ["<1>", "2&", '"3"'], "flag": True}},
    {"template": "loop.html", "context": {"items": [], "flag": False}},
    {"template": "shadow.html", "context": {}},
    {"template": "shared.html", "context": {}},
    {"template": "blog/post.html", "context": {"title": "T<", "html": "<em>ok</em>"}},
    {"template": "shop/item.html", "context": {"body": "b"}},
    {"template": ["nope.html", "shadow.html", "page.html"], "context": {}},
    {"template": "nope.html", "context": {}},
    {"template": ["nope.html", "blog/nope.html"], "context": {}},
    {"template": "../secret.html", "context": {}},
    {"template": "includes-missing.html", "context": {}},
    {"template": "extends-missing.html", "context": {}},
    {"template": "unknown-tag.html", "context": {}},
    {"template": "unknown-filter.html", "context": {"x": 1}},
    {"template": "includes-bad.html", "context": {}},
    {"template": "escape-outside.html", "context": {}},
    {"template": "unclosed.html", "context": {}},
    {"template": "unclosed-outer.html", "context": {}},
]


def main():
    root = tempfile.mkdtemp(prefix="django-templates-")
    for rel, text in TREE.items():
        full = os.path.join(root, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
    sys.path.insert(0, root)

    import django
    from django.conf import settings

    settings.configure(
        DEBUG=True,
        INSTALLED_APPS=["blog", "shop"],
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [os.path.join(root, "templates")],
            "APP_DIRS": True,
            "OPTIONS": {"debug": True},
        }],
    )
    django.setup()
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import render_to_string

    def rel(path):
        return os.path.relpath(path, root)

    results = []
    for case in CASES:
        out = {"template": case["template"], "context": case["context"]}
        try:
            out["output"] = render_to_string(case["template"], case["context"])
        except TemplateDoesNotExist as e:
            tried = []
            for exc in (e.chain or [e]):
                for origin, status in exc.tried:
                    tried.append([rel(origin.name), status])
            out["error"] = {"type": "TemplateDoesNotExist", "message": str(e), "tried": tried}
        except TemplateSyntaxError as e:
            debug = getattr(e, "template_debug", None) or {}
            out["error"] = {
                "type": "TemplateSyntaxError",
                "message": str(e),
                "template": rel(debug["name"]) if debug.get("name") else None,
                "line": debug.get("line"),
            }
        results.append(out)

    print("Django", django.get_version(), "rendered", len(results), "cases", file=sys.stderr)
    return {"django": django.get_version(), "tree": TREE, "cases": results, "V73": v73(), "debug": debug_info()}


DEBUG_SOURCES = [
    "a\n{% frob %}\nc",
    "a\n{% frob %}\nc\n",
    "{% frob %}",
    "x\n" * 3 + "{% frob %}" + "\ny" * 20,
    "\n".join("line %d" % i for i in range(1, 31)).replace("line 15", "{% frob %}"),
    "\n".join("line %d" % i for i in range(1, 31)).replace("line 29", "{% frob %}"),
]


def debug_info():
    # template_debug of the technical 500 page, for a syntax error at various lines.
    from django.template import TemplateSyntaxError, engines

    out = []
    for source in DEBUG_SOURCES:
        try:
            engines["django"].from_string(source)
        except TemplateSyntaxError as e:
            d = e.template_debug
            out.append({
                "source": source,
                "line": d["line"],
                "top": d["top"],
                "bottom": d["bottom"],
                "total": d["total"],
                "sourceLines": [[n, text] for n, text in d["source_lines"]],
            })
    return out


def v73():
    from django.template import engines
    from django.template.response import ContentNotRenderedError, SimpleTemplateResponse, TemplateResponse
    from django.test import RequestFactory

    log = []
    t = engines["django"].from_string("Hello {{ name }}")
    r = TemplateResponse(RequestFactory().get("/"), t, {"name": "World"})
    out = {"isRendered": r.is_rendered, "status": r.status_code, "contentType": r["Content-Type"]}
    messages = {}
    try:
        r.content
    except ContentNotRenderedError as e:
        messages["accessed"] = str(e)
    try:
        iter(r).__next__()
    except ContentNotRenderedError as e:
        messages["iterated over"] = str(e)
    import pickle
    try:
        pickle.dumps(r)
    except ContentNotRenderedError as e:
        messages["pickled"] = str(e)
    out["messages"] = messages
    out["renderedContent"] = r.rendered_content
    out["isRenderedAfterRenderedContent"] = r.is_rendered
    r.add_post_render_callback(lambda resp: log.append(["callback 1", resp.content.decode()]))
    r.add_post_render_callback(lambda resp: log.append(["callback 2", resp.content.decode()]))
    r.context_data["name"] = "Django"
    res = r.render()
    out["renderReturnsSelf"] = res is r
    out["isRenderedAfterRender"] = r.is_rendered
    out["content"] = r.content.decode()
    r.add_post_render_callback(lambda resp: log.append(["late callback", resp.content.decode()]))
    r.context_data["name"] = "ignored"
    r.render()
    out["contentAfterSecondRender"] = r.content.decode()
    out["log"] = log
    r2 = SimpleTemplateResponse(t, {"name": "x"})
    r2.content = b"manual"
    out["manual"] = {"isRendered": r2.is_rendered, "content": r2.content.decode()}
    # A callback's return value replaces the response; later callbacks see the replacement.
    from django.http import HttpResponse
    r3 = SimpleTemplateResponse(t, {"name": "y"})
    seen = []
    r3.add_post_render_callback(lambda resp: HttpResponse("replaced", status=201))
    r3.add_post_render_callback(lambda resp: seen.append([resp.status_code, resp.content.decode()]))
    final = r3.render()
    out["replaced"] = {"status": final.status_code, "content": final.content.decode(), "seenByNext": seen}
    # status, content type and charset given to the constructor.
    r4 = SimpleTemplateResponse(t, {"name": "z"}, content_type="text/plain", status=404, charset="latin-1")
    r4.render()
    out["options"] = {"status": r4.status_code, "contentType": r4["Content-Type"], "charset": r4.charset, "content": r4.content.decode("latin-1")}
    return out


if __name__ == "__main__":
    data = main()
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "templates.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
