"""Writes test/fixtures/codecs.json: what Python's codecs and Django 3.2 do with
encoding labels and bytes.

- labels: every alias and codec module name Python's encodings package has, and
  variants (case, punctuation, spaces, WHATWG-only labels, nonsense), each with
  the canonical name codecs.lookup gives (or null) and whether it is a text encoding;
- singleByte: for latin_1, ascii and every single-byte (charmap) codec, bytes
  0x00-0xFF decoded with errors='replace', the bytes a strict decode rejects, and
  a sample string encoded with errors='replace';
- multiByte: sample texts encoded by the multi-byte codecs the library decodes;
- requests: WSGIRequests with `charset=<label>` (every alias of the codecs the
  library supports): request.encoding, GET, urlencoded POST and a multipart field.

Run: /usr/bin/python3 scripts/django/codecs.py  (Django 3.2 installed). Deterministic.
"""
import codecs
import encodings
import encodings.aliases
import importlib
import io
import json
import os
import pkgutil
import sys

import django
from django.conf import settings

settings.configure(ALLOWED_HOSTS=["testserver"], SECRET_KEY="fixture", DEFAULT_CHARSET="utf-8")
django.setup()

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "codecs.json")

modules = []
charmaps = []
for name in sorted(m.name for m in pkgutil.iter_modules(encodings.__path__)):
    if name in ("aliases", "__init__"):
        continue
    try:
        codecs.lookup(name)
    except LookupError:
        continue
    modules.append(name)
    if hasattr(importlib.import_module("encodings." + name), "decoding_table"):
        charmaps.append(name)

aliases = sorted(encodings.aliases.aliases)


def variants(name):
    yield name
    yield name.upper()
    yield name.replace("_", "-")
    yield name.replace("_", " ").title()
    yield " " + name + "\t"
    yield "--" + name.replace("_", "..") + "--"


EXTRA = [
    "", " ", "-", "_", "utf-9", "latin-2x", "x-user-defined", "x-mac-roman", "unicode-1-1-utf-8", "windows-31j",
    "x-sjis", "csshiftjis", "iso-ir-100", "iso_8859-1:1987", "ISO 8859-1", "Latin 1", "latin..1", "latin1.",
    "utf.8", "utf8.", "utf-8-sig", "x-cp1252", "iso-8859-8-i", "windows-874", "ecma-114", "gb_2312-80",
    "ksc5601", "x-x-big5", "l\u00e4tin1", "latin\u00a01", "utf\u00e98", "8859", "latin", "cp819", "L1", "IBM819",
    "ms-ansi", "ms_kanji", "koi8", "cyrillic", "greek8", "hebrew", "arabic", "thai", "u8", "utf", "cp65001",
    "base64", "rot13", "hex", "zlib", "bz2", "quopri", "uu", "idna", "punycode", "mbcs", "dbcs", "oem", "tactis",
]

labels = []
seen = set()
for name in modules + aliases:
    for v in variants(name):
        if v not in seen:
            seen.add(v)
            labels.append(v)
for v in EXTRA:
    if v not in seen:
        seen.add(v)
        labels.append(v)


def lookup(label):
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    return {"name": info.name, "text": info._is_text_encoding}


label_cases = [{"label": l, "codec": lookup(l)} for l in labels]

SAMPLE = "aZ\u00e9\u00ff\u20ac\u0152\u0411\u03a9\u05d0\u0e01\u2603\U0001F600\u0080?"
single = []
for name in ["latin_1", "ascii"] + charmaps:
    all_bytes = bytes(range(256))
    undefined = []
    for b in range(256):
        try:
            bytes([b]).decode(name)
        except UnicodeDecodeError:
            undefined.append(b)
    single.append({
        "codec": name,
        "replace": all_bytes.decode(name, "replace"),
        "undefined": undefined,
        "sample": SAMPLE,
        "sampleEncoded": list(SAMPLE.encode(name, "replace")),
    })

MULTI_TEXT = {
    "shift_jis": "\u65e5\u672c\u8a9e\u3042\u30a2\uff71 abc",
    "cp932": "\u65e5\u672c\u8a9e\u2460 abc",
    "euc_jp": "\u65e5\u672c\u8a9e\u3042\u30a2 abc",
    "gbk": "\u4e2d\u6587\u4f60\u597d abc",
    "gb2312": "\u4e2d\u6587\u4f60\u597d abc",
    "gb18030": "\u4e2d\u6587\u4f60\u597d\U0001F600 abc",
    "big5": "\u4e2d\u6587\u7e41\u9ad4 abc",
    "cp950": "\u4e2d\u6587\u7e41\u9ad4 abc",
    "euc_kr": "\ud55c\uad6d\uc5b4 abc",
    "cp949": "\ud55c\uad6d\uc5b4 abc",
    "iso2022_jp": "\u65e5\u672c\u8a9e abc",
    "utf_16_le": "\u00e9\u20ac\U0001F600 abc",
    "utf_16_be": "\u00e9\u20ac\U0001F600 abc",
    "utf_16": "\u00e9\u20ac\U0001F600 abc",
    "utf_8_sig": "\u00e9\u20ac\U0001F600 abc",
    "utf_8": "\u00e9\u20ac\U0001F600 abc",
}
multi = [{"codec": c, "text": t, "bytes": list(t.encode(c))} for c, t in MULTI_TEXT.items()]
multi.append({"codec": "utf_8_sig", "text": "\u00e9", "bytes": list(b"\xef\xbb\xbf\xc3\xa9")})
multi.append({"codec": "utf_16", "text": "\u00e9a", "bytes": list(b"\xfe\xff\x00\xe9\x00a")})


def environ(**kw):
    env = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/", "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http",
    }
    env.update(kw)
    return env


def lists(qd):
    return [[k, list(v)] for k, v in qd.lists()]


# Every alias of the codecs whose request decoding the library reproduces exactly.
REQUEST_CODECS = {"utf_8", "latin_1", "ascii"} | set(charmaps)
request_labels = sorted({a for a, m in encodings.aliases.aliases.items() if m in REQUEST_CODECS} | REQUEST_CODECS)
request_labels += ["UTF-8", "Latin-1", " latin1", "latin 1", "utf-9", "x-user-defined", "windows-1252", "base64"]

QUERY = "a=%E9%80%A4&b=%C3%A9&%E9=x"
FORM = b"c=%E9%80%9F&d=%41"
BOUNDARY = "BoUnDaRy"
MULTIPART = (
    b"--" + BOUNDARY.encode() + b"\r\n"
    b'Content-Disposition: form-data; name="f\xe9"\r\n\r\n'
    b"\x80\xe9\x9f\xa4 x\r\n"
    b"--" + BOUNDARY.encode() + b"--\r\n"
)
requests = []
for label in request_labels:
    ct = "application/x-www-form-urlencoded; charset=" + label
    case = {"label": label}
    try:
        req = WSGIRequest(environ(QUERY_STRING=QUERY, CONTENT_TYPE=ct, CONTENT_LENGTH=str(len(FORM)),
                                  **{"wsgi.input": io.BytesIO(FORM)}))
        case["encoding"] = req.encoding
        case["GET"] = lists(req.GET)
        case["POST"] = lists(req.POST)
    except Exception as e:  # a non-text codec: Django fails while decoding
        case["error"] = type(e).__name__
    if "error" not in case:
        mp = MULTIPART
        mct = "multipart/form-data; boundary=%s; charset=%s" % (BOUNDARY, label)
        mreq = WSGIRequest(environ(CONTENT_TYPE=mct, CONTENT_LENGTH=str(len(mp)), **{"wsgi.input": io.BytesIO(mp)}))
        case["multipartContentType"] = mct
        case["multipartPOST"] = lists(mreq.POST)
    requests.append(case)

data = {
    "python": "%d.%d" % sys.version_info[:2],
    "django": django.get_version(),
    "query": QUERY,
    "form": list(FORM),
    "multipart": list(MULTIPART),
    "labels": label_cases,
    "singleByte": single,
    "multiByte": multi,
    "requests": requests,
}
with open(OUT, "w") as f:
    # One line per list item, so that a change shows as the items it changes.
    f.write("{\n")
    for i, (k, v) in enumerate(data.items()):
        f.write(" %s: " % json.dumps(k))
        if isinstance(v, list) and v and isinstance(v[0], dict):
            f.write("[\n" + ",\n".join("  " + json.dumps(x, ensure_ascii=True) for x in v) + "\n ]")
        else:
            f.write(json.dumps(v, ensure_ascii=True))
        f.write(",\n" if i < len(data) - 1 else "\n")
    f.write("}\n")
