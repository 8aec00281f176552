"""Django 3.2 signing vectors for test/Signing.test.ts.

Run with /usr/bin/python3 (the interpreter that has Django 3.2):

    /usr/bin/python3 scripts/django/signing.py

Writes test/fixtures/signing.json. Deterministic: a fixed random seed, and every
time-dependent call runs with time.time() patched to a fixed value.

Keys are written as {"text": str} or {"hex": bytes-as-hex} (Django accepts both).
"""
import datetime
import json
import os
import random
import sys
import zlib
from unittest import mock

import django
from django.conf import settings

settings.configure(SECRET_KEY="fixture-secret", USE_TZ=True)
django.setup()

from django.core import signing  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "signing.json")
rng = random.Random(5)


def at(t):
    # time.time() always returns a float; so does the mock, so that ages print as Django's do.
    return mock.patch("time.time", return_value=float(t))


def key_json(key):
    if isinstance(key, bytes):
        return {"hex": key.hex()}
    return {"text": key}


def error_json(e):
    return {"error": type(e).__name__, "message": str(e)}


ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz",
    "ABCXYZ0123456789-_=",
    ":/,.*$!~ ;\"'\\",
    "\u00e9\u00fc\u00df\u00f1\u2019\u20ac",
    "\u4e2d\u6587\u65e5\u672c",
    "\U0001F600\U0001F680\U0001D11E",
    "\t\n\r\x00\x7f",
]


def random_text(max_len=24):
    n = rng.randint(0, max_len)
    out = []
    for _ in range(n):
        alphabet = rng.choice(ALPHABETS)
        out.append(rng.choice(alphabet))
    return "".join(out)


def random_key():
    kind = rng.random()
    if kind < 0.6:
        return random_text(40) or "k"
    if kind < 0.8:
        return "s3cr3t-" + "".join(rng.choice("\u00e9\u4e2d\U0001F600abc") for _ in range(rng.randint(1, 8)))
    return bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 50)))


SEPARATORS = [":", "/", "*sep*", ",", "::", "|", "\u2192", ".", "!", "~"]
SALTS = [None, "", "extra-salt", "one", "two", "\u00e9l\u00e8ve", "names", "a:b"]
ALGORITHMS = ["sha256", "sha256", "sha256", "sha1", "sha512", "sha384", "sha224", "md5", "sha3_256", "blake2b"]


def random_json(depth=0):
    r = rng.random()
    if depth > 2 or r < 0.3:
        return rng.choice([
            None, True, False, 0, 1, -7, 2 ** 40, 3.5, -0.25, 1e-7, 1e16, 123456.789,
            random_text(12), random_text(3),
        ])
    if r < 0.65:
        return [random_json(depth + 1) for _ in range(rng.randint(0, 5))]
    # Keys that look like array indices are ordered first by JavaScript objects: keep them out
    # (the Map case below covers them).
    return {"k" + random_text(6): random_json(depth + 1) for _ in range(rng.randint(0, 5))}


fixtures = {"django": django.get_version()}

# --- Reference vectors (django-reference.md section 5) -------------------------------
with at(1700000000):
    v1 = signing.Signer(key="secret").sign("hello")
    v2 = signing.TimestampSigner(key="secret").sign("hello")
    v3 = signing.dumps({"a": 1}, key="secret")
    response = HttpResponse()
    with mock.patch.object(settings, "SECRET_KEY", "secret"):
        response.set_signed_cookie("name", "Tony", salt="s")
    v4 = response.cookies["name"].value
    v4_header = response.cookies["name"].output()
with at(123456789):
    v3b = signing.dumps("hello", key="secret")
fixtures["reference"] = {
    "V1": v1,
    "V1legacy": signing.Signer(key="secret")._legacy_signature("hello"),
    "V2": v2,
    "V3": v3,
    "V3b": v3b,
    "V4": v4,
    "V4header": v4_header,
}

# --- Signer.sign ----------------------------------------------------------------------
signer_cases = []
fixed = [
    ("predictable-secret", ":", None, "sha256", "hello"),
    ("predictable-secret", ":", "extra-salt", "sha256", "hello"),
    ("predictable-secret", ":", None, "sha512", "hello"),
    (b"\xe7", ":", None, "sha256", "foo"),
    ("predictable-secret", "/", None, "sha256", "foo"),
    ("predictable-secret", "*sep*", None, "sha256", "foo"),
    ("predictable-secret", ",", None, "sha256", "foo"),
    ("predictable-secret", ":", None, "sha256", "3098247:529:087:"),
    ("predictable-secret", ":", None, "sha256", "\u2019"),
    ("predictable-secret", ":", None, "sha256", ""),
]
for key, sep, salt, algorithm, value in fixed:
    signer_cases.append((key, sep, salt, algorithm, value))
for _ in range(60):
    signer_cases.append((
        random_key(), rng.choice(SEPARATORS), rng.choice(SALTS), rng.choice(ALGORITHMS), random_text(),
    ))
fixtures["signer"] = []
for key, sep, salt, algorithm, value in signer_cases:
    s = signing.Signer(key=key, sep=sep, salt=salt, algorithm=algorithm)
    fixtures["signer"].append({
        "key": key_json(key), "sep": sep, "salt": salt, "algorithm": algorithm, "value": value,
        "signed": s.sign(value),
        "legacy": value + sep + s._legacy_signature(value),
    })

# --- TimestampSigner.sign / unsign -------------------------------------------------
fixtures["timestamp"] = []
for i in range(30):
    key = random_key()
    sep = rng.choice(SEPARATORS)
    salt = rng.choice(SALTS)
    value = random_text()
    t = rng.choice([0, 1, 61, 123456789, 1700000000, 1700000000.75, 2 ** 31 + 5, 4102444800]) + rng.randint(0, 10 ** 6)
    s = signing.TimestampSigner(key=key, sep=sep, salt=salt)
    with at(t):
        signed = s.sign(value)
    checks = []
    for later, max_age in [
        (t, None), (t + 10, 12), (t + 11.5, 11), (t + 12.25, 12), (t + 3600, 60),
        (t + 1677.3839159, 60), (t + 100, datetime.timedelta(seconds=60)),
        (t + 30, datetime.timedelta(seconds=90, milliseconds=500)), (t - 5, -10), (t + 0.1, 0),
    ]:
        with at(later):
            try:
                result = {"ok": s.unsign(signed, max_age=max_age)}
            except signing.BadSignature as e:
                result = error_json(e)
        age = None
        if isinstance(max_age, datetime.timedelta):
            age = {"seconds": max_age.total_seconds()}
        elif max_age is not None:
            age = max_age
        checks.append({"now": later, "maxAge": age, "result": result})
    fixtures["timestamp"].append({
        "key": key_json(key), "sep": sep, "salt": salt, "value": value, "time": t, "signed": signed, "checks": checks,
    })

# --- dumps / loads ---------------------------------------------------------------
fixtures["dumps"] = []
objects = [
    {"a": 1}, "hello", ["a", "list"], "a string \u2019", {"a": "dictionary"}, list(range(1, 20)),
    {"long": "x" * 200}, {"emoji": "\U0001F600" * 20}, {"nested": {"list": [1, 2.5, None, True, False]}},
    "\x00\x1f\x7f\"\\/", [1e16, 1e-7, -0.0, 1.5, 1e300, 2.5e-300, 0.1],
]
for _ in range(40):
    objects.append(random_json())
for i, obj in enumerate(objects):
    key = random_key() if i % 3 else "secret"
    salt = rng.choice(["django.core.signing", "django.core.signing", "my.salt", "\u00e9"])
    compress = i % 2 == 0
    t = 1700000000 + i
    with at(t):
        signed = signing.dumps(obj, key=key, salt=salt, compress=compress)
    with at(t + 5):
        back = signing.loads(signed, key=key, salt=salt, max_age=10)
    assert back == obj or obj != obj
    fixtures["dumps"].append({
        "obj": obj, "key": key_json(key), "salt": salt, "compress": compress, "time": t, "signed": signed,
        "compressed": signed.startswith("."),
        "serialized": json.dumps(obj, separators=(",", ":")),
    })

# Python ints beyond 2**53: JavaScript gives them as BigInt.
with at(1700000000):
    big = [12345678901234567890, -(2 ** 70)]
    fixtures["bigint"] = {"values": [str(n) for n in big], "signed": signing.dumps(big, key="secret")}

# Insertion order of keys, including index-like ones (a Map in JavaScript).
with at(1700000000):
    fixtures["ordered"] = {"entries": [["b", 1], ["1", 2], ["a", [3]]], "signed": signing.dumps({"b": 1, "1": 2, "a": [3]}, key="secret")}

# zlib.compress (level 6) itself, on inputs with repeats at many distances.
fixtures["zlib"] = []
for i in range(20):
    size = [0, 1, 2, 3, 10, 100, 258, 259, 1000, 4096][i % 10] if i < 10 else rng.randint(0, 2500)
    alphabet = rng.randint(1, 256)
    data = bytearray()
    for j in range(size):
        if j > 10 and rng.random() < 0.35:
            data.append(data[j - 1 - rng.randint(0, min(j - 1, 4500))])
        else:
            data.append(rng.randrange(alphabet))
    fixtures["zlib"].append({"input": bytes(data).hex(), "output": zlib.compress(bytes(data)).hex()})

# Python's str(float), used for ages in SignatureExpired messages.
floats = [0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 0.00012, 5e-324, 1.7976931348623157e308,
          123456789.123, 1677.3839159000054, 0.8499999046325684, 2.5e-300, -11.5, 1e22, 1e21]
floats += [rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30) for _ in range(40)]
fixtures["floats"] = [[f, str(f)] for f in floats]

# --- Cookies (get_cookie_signer, set_signed_cookie / get_signed_cookie) ---------------
fixtures["cookies"] = []
for i in range(30):
    # SECRET_KEY is text here (Settings holds a string).
    secret = random_key() if i % 4 else "secret"
    secret = secret.hex() if isinstance(secret, bytes) else secret
    name = rng.choice(["name", "c", "a", "sessionid", "\u00e9", "x-y"])
    salt = rng.choice(["", "", "s", "one", "two", "\u00e9"])
    value = random_text()
    t = 1700000000 + rng.randint(0, 10 ** 6)
    with mock.patch.object(settings, "SECRET_KEY", secret):
        with at(t):
            signed = signing.get_cookie_signer(salt=name + salt).sign(value)
        checks = []
        for later, max_age, read_salt in [
            (t + 5, None, salt), (t + 5, 10, salt), (t + 11, 10, salt), (t + 10.5, 10, salt),
            (t + 5, None, salt + "x"), (t + 100, datetime.timedelta(seconds=99), salt),
        ]:
            request = HttpRequest()
            request.COOKIES[name] = signed
            with at(later):
                try:
                    result = {"ok": request.get_signed_cookie(name, salt=read_salt, max_age=max_age)}
                except signing.BadSignature as e:
                    result = error_json(e)
            age = {"seconds": max_age.total_seconds()} if isinstance(max_age, datetime.timedelta) else max_age
            checks.append({"now": later, "maxAge": age, "salt": read_salt, "result": result})
    fixtures["cookies"].append({
        "secret": key_json(secret), "name": name, "salt": salt, "value": value, "time": t, "signed": signed,
        "checks": checks,
    })

# --- Bad signatures: Django's messages ----------------------------------------------
fixtures["bad"] = []
s = signing.Signer(key="predictable-secret")
good = s.sign("Another string")
for candidate, sep in [
    (good.upper(), ":"), (good + "a", ":"), ("a" + good[1:], ":"), (good.replace(":", ""), ":"),
    ("no separator here", ":"), ("value:", ":"), (":", ":"), ("", ":"), ("a/b", "/"), (good[:-2] + "$$", ":"),
]:
    try:
        signing.Signer(key="predictable-secret", sep=sep).unsign(candidate)
        result = {"ok": True}
    except signing.BadSignature as e:
        result = error_json(e)
    fixtures["bad"].append({"key": {"text": "predictable-secret"}, "sep": sep, "signed": candidate, "result": result})

# --- Separators ----------------------------------------------------------------------
fixtures["separators"] = []
for sep in ["", "-", "abc", "_", "=", "A-z", "[", "\\", "]", "^", "`", "a:b", ":", "/", "*sep*", ",", "{", "a b", "\u00e9"]:
    try:
        signing.Signer(key="k", sep=sep)
        result = {"ok": True}
    except ValueError as e:
        result = error_json(e)
    fixtures["separators"].append({"sep": sep, "result": result})

# --- Algorithms -------------------------------------------------------------------
try:
    signing.Signer(key="predictable-secret", algorithm="whatever").sign("hello")
    fixtures["invalidAlgorithm"] = None
except ValueError as e:
    fixtures["invalidAlgorithm"] = error_json(e)

with open(OUT, "w", encoding="utf-8") as f:
    json.dump(fixtures, f, ensure_ascii=False, indent=1, sort_keys=False)
    f.write("\n")

count = sum(len(v) for v in fixtures.values() if isinstance(v, list)) + len(fixtures["reference"])
print(f"wrote {OUT}: {count} vectors", file=sys.stderr)
