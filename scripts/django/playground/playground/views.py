"""The two playground endpoints of playground.md, written with Django 3.2 only."""
import hashlib

from django.core import signing
from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseGone,
    HttpResponseNotAllowed,
    HttpResponseNotFound,
    HttpResponseNotModified,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
    StreamingHttpResponse,
    UnreadablePostError,
)
from django.http.multipartparser import MultiPartParserError

# What a client can make POST/FILES fail with; NAME in playground.md.
BODY_ERRORS = (SuspiciousOperation, MultiPartParserError, UnreadablePostError)

# Streaming chunk counts above this are a bad argument (a public playground must not stream forever).
MAX_CHUNKS = 1000


def _error(exc):
    return {"error": type(exc).__name__}


def _describe_file(f):
    digest = hashlib.sha256()
    size = 0
    for chunk in f.chunks():
        digest.update(chunk)
        size += len(chunk)
    return {
        "name": f.name,
        "size": size,
        "content_type": f.content_type,
        # Django 3.2 keeps the part's charset parameter as bytes; JSON shows it as text.
        "charset": f.charset.decode("latin-1") if isinstance(f.charset, bytes) else f.charset,
        "sha256": digest.hexdigest(),
    }


def inspect(request):
    try:
        host = request.get_host()
    except DisallowedHost as exc:
        host = _error(exc)
    try:
        absolute_uri = request.build_absolute_uri()
    except DisallowedHost as exc:
        absolute_uri = _error(exc)

    try:
        post = [[k, v] for k, v in request.POST.lists()]
        files = [[k, [_describe_file(f) for f in v]] for k, v in request.FILES.lists()]
    except BODY_ERRORS as exc:
        post = files = _error(exc)

    max_age = request.GET.get("__max_age")
    max_age = int(max_age) if max_age is not None else None
    signed = {}
    for name in request.COOKIES:
        try:
            signed[name] = request.get_signed_cookie(name, salt="", max_age=max_age)
        except signing.SignatureExpired as exc:
            signed[name] = _error(exc)
        except signing.BadSignature as exc:
            signed[name] = _error(exc)

    meta = {}
    for key in ("QUERY_STRING", "REQUEST_METHOD", "PATH_INFO", "CONTENT_TYPE", "CONTENT_LENGTH"):
        if key in request.META:
            meta[key] = request.META[key]
    for key, value in request.META.items():
        if key.startswith("HTTP_"):
            meta[key] = value

    return JsonResponse(
        {
            "method": request.method,
            "path": request.path,
            "path_info": request.path_info,
            "full_path": request.get_full_path(),
            "host": host,
            "absolute_uri": absolute_uri,
            "scheme": request.scheme,
            "is_secure": request.is_secure(),
            "encoding": request.encoding,
            "GET": [[k, v] for k, v in request.GET.lists()],
            "POST": post,
            "FILES": files,
            "COOKIES": dict(request.COOKIES),
            "SIGNED": signed,
            "META": meta,
        }
    )


def _strip_spaces(s):
    # Only spaces: a CR or LF at either end must stay and be refused as header injection.
    return s.strip(" ")


def respond(request):
    q = request.GET
    kind = q.get("kind", "plain")
    content = q.get("content", "")

    if kind == "plain":
        kwargs = {}
        if "status" in q:
            kwargs["status"] = q["status"]  # HttpResponse checks it (TypeError / ValueError -> 500)
        if "content_type" in q:
            kwargs["content_type"] = q["content_type"]
        if "charset" in q:
            kwargs["charset"] = q["charset"]
        response = HttpResponse(content, **kwargs)
    elif kind == "redirect":
        response = HttpResponseRedirect(q.get("url", ""), content)
    elif kind == "permanent_redirect":
        response = HttpResponsePermanentRedirect(q.get("url", ""), content)
    elif kind == "not_modified":
        response = HttpResponseNotModified(content)
    elif kind == "bad_request":
        response = HttpResponseBadRequest(content)
    elif kind == "not_found":
        response = HttpResponseNotFound(content)
    elif kind == "forbidden":
        response = HttpResponseForbidden(content)
    elif kind == "not_allowed":
        response = HttpResponseNotAllowed(q.get("methods", "").split(","), content)
    elif kind == "gone":
        response = HttpResponseGone(content)
    elif kind == "server_error":
        response = HttpResponseServerError(content)
    elif kind == "json":
        response = JsonResponse({"content": content})
    elif kind == "streaming":
        n = int(q.get("n", "1"))
        if n < 0 or n > MAX_CHUNKS:
            raise ValueError("n must be from 0 to %d" % MAX_CHUNKS)
        response = StreamingHttpResponse(content for _ in range(n))
    else:
        raise ValueError("unknown kind %r" % kind)

    for header in q.getlist("header"):
        name, sep, value = header.partition(":")
        name, value = _strip_spaces(name), _strip_spaces(value)
        if not sep or not name:
            raise ValueError("header must be 'Name: Value'")
        response[name] = value

    options = {}
    if "max_age" in q:
        options["max_age"] = int(q["max_age"])
    if "path" in q:
        options["path"] = q["path"]
    if "domain" in q:
        options["domain"] = q["domain"]
    if "samesite" in q:
        options["samesite"] = q["samesite"]
    options["secure"] = q.get("secure") == "1"
    options["httponly"] = q.get("httponly") == "1"

    for cookie in q.getlist("cookie"):
        name, _, value = cookie.partition("=")
        response.set_cookie(name, value, **options)
    for cookie in q.getlist("signed_cookie"):
        name, _, value = cookie.partition("=")
        response.set_signed_cookie(name, value, salt=q.get("salt", ""), **options)
    for name in q.getlist("delete_cookie"):
        response.delete_cookie(
            name, path=options.get("path", "/"), domain=options.get("domain"), samesite=options.get("samesite")
        )
    return response
