"""Django 3.2 password-hashing, session-auth-hash and safe-URL vectors for test/Passwords.test.ts.

Run with /usr/bin/python3 (the interpreter that has Django 3.2):

    /usr/bin/python3 scripts/django/passwords.py

Writes test/fixtures/passwords.json. Deterministic: fixed salts, a seeded generator. Most hashes
use low iteration counts so that the tests stay fast; a few use Django 3.2's 260,000.
PASSWORD_HASHERS is set to the two PBKDF2 hashers, the ones this library implements.
"""
import json
import os
import random

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="passwords-fixture-secret",
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
)
django.setup()

from django.contrib.auth.hashers import (  # noqa: E402
    PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher, check_password, identify_hasher, is_password_usable,
    make_password, must_update_salt)
from django.utils.crypto import salted_hmac  # noqa: E402
from django.utils.http import url_has_allowed_host_and_scheme  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "passwords.json")
rng = random.Random(28)
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
TEXT = ALNUM + " !#%&*+-./:;<=>?@[]^_{|}~\u00e9\u00fc\u00df\u4e2d\U0001F600"


def rand(n, alphabet=ALNUM):
    return "".join(rng.choice(alphabet) for _ in range(n))


def error_of(f):
    try:
        return {"ok": f()}
    except Exception as e:
        return {"error": type(e).__name__, "message": str(e)}


sha256 = PBKDF2PasswordHasher()
sha1 = PBKDF2SHA1PasswordHasher()
out = {"django": django.get_version(), "iterations": sha256.iterations, "saltEntropy": sha256.salt_entropy,
       "saltLength": len(sha256.salt())}

# -- encode ---------------------------------------------------------------------------------------
encode_cases = [
    (sha256, "password", "abcdefghijklmnopqrstuv", None),
    (sha256, "correct horse battery staple", "SaltSaltSaltSaltSalt22", None),
    (sha256, "p\u00e4ssw\u00f6rd", "abcdefghijklmnopqrstuv", None),
    (sha1, "password", "abcdefghijklmnopqrstuv", None),
    (sha256, "password", "abcdefghijklmnopqrstuv", 1),
    (sha256, "", "abcdefghijklmnopqrstuv", 2),
    (sha256, "secret", "shortsalt", 3),
    (sha1, "secret", "x", 1),
    (sha256, "\U0001F600 emoji \u4e2d\u6587", "Salt with spaces and \u00e9", 5),
    (sha256, "a" * 200, "abcdefghijklmnopqrstuv", 7),
]
for _ in range(30):
    hasher = rng.choice([sha256, sha1])
    encode_cases.append((hasher, rand(rng.randint(0, 30), TEXT), rand(rng.randint(1, 30)), rng.randint(1, 50)))
out["encode"] = [
    {"algorithm": h.algorithm, "password": p, "salt": s, "iterations": i, "encoded": h.encode(p, s, i)}
    for h, p, s, i in encode_cases
]

# -- check_password (PASSWORD_HASHERS: pbkdf2_sha256 preferred) ------------------------------------
low = sha256.encode("password", "abcdefghijklmnopqrstuv", 10)
low_sha1 = sha1.encode("password", "abcdefghijklmnopqrstuv", 10)
full = sha256.encode("password", "abcdefghijklmnopqrstuv")
full_short_salt = sha256.encode("password", "shortsalt")
full_sha1 = sha1.encode("password", "abcdefghijklmnopqrstuv")
check_cases = [
    ("password", full), ("Password", full), ("password", low), ("wrong", low), ("password", low_sha1),
    ("password", full_sha1), ("password", full_short_salt), (None, full), ("", full),
    ("password", "!" + rand(40)), ("password", "!"), ("password", ""), ("password", "md5$$abc"),
    ("password", "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$abc"), ("password", "unknown$1$salt$hash"),
    ("password", "pbkdf2_sha256$10$abcdefghijklmnopqrstuv$" + "A" * 44),
]
out["check"] = []
for password, encoded in check_cases:
    calls = []
    result = error_of(lambda: check_password(password, encoded, setter=lambda raw: calls.append(raw)))
    out["check"].append({"password": password, "encoded": encoded, "result": result, "setterCalled": bool(calls)})

# -- verify (the hasher alone) and must_update -----------------------------------------------------
verify_cases = [(sha256, "password", low), (sha256, "passwor", low), (sha1, "password", low_sha1),
                (sha256, "password", "pbkdf2_sha256$10$abcdefghijklmnopqrstuv$" + "A" * 44)]
for e in out["encode"][4:]:
    h = sha256 if e["algorithm"] == "pbkdf2_sha256" else sha1
    verify_cases.append((h, e["password"], e["encoded"]))
    verify_cases.append((h, e["password"] + "x", e["encoded"]))
out["verify"] = [{"algorithm": h.algorithm, "password": p, "encoded": enc, "result": h.verify(p, enc)}
                 for h, p, enc in verify_cases]

must_cases = [
    sha256.encode("pw", "abcdefghijklmnopqrstuv", 260000), sha256.encode("pw", "abcdefghijklmnopqrstuv", 216000),
    sha256.encode("pw", "shortsalt", 260000), sha256.encode("pw", "abcdefghijklmnopqrstu", 260000),
    sha256.encode("pw", "abcdefghijklmnopqrstuvw", 260000), sha256.encode("pw", "abcdefghijklmnopqrstuv", 320000),
    sha1.encode("pw", "abcdefghijklmnopqrstuv", 260000),
]
out["mustUpdate"] = []
for encoded in must_cases:
    hasher = identify_hasher(encoded)
    out["mustUpdate"].append({
        "encoded": encoded, "hasher": hasher.algorithm, "hasherMustUpdate": hasher.must_update(encoded),
        # what check_password uses: a different algorithm than the preferred one, or the preferred one's rule
        "checkPasswordMustUpdate": hasher.algorithm != sha256.algorithm or sha256.must_update(encoded),
    })
out["mustUpdateSalt"] = [{"length": n, "result": must_update_salt("a" * n, 128)} for n in range(0, 26)]

# -- identify_hasher, is_password_usable, make_password --------------------------------------------
identify_cases = [full, full_sha1, "pbkdf2_sha256", "pbkdf2_sha256$", "md5$$" + "a" * 32, "a" * 32,
                  "sha1$$" + "a" * 40, "sha1$salt$hash", "argon2$argon2id$x", "bcrypt_sha256$$2b$12$x", "", "$",
                  "PBKDF2_SHA256$1$s$h", "!abc"]
out["identify"] = [{"encoded": e, "result": error_of(lambda: identify_hasher(e).algorithm)} for e in identify_cases]
out["usable"] = [{"encoded": e, "result": is_password_usable(e)}
                 for e in [None, "", "!", "!" + rand(40), full, "x!", " !"]]
unusable = make_password(None)
out["unusable"] = {"prefix": unusable[0], "length": len(unusable), "usable": is_password_usable(unusable)}
made = make_password("password")
out["made"] = {"encoded": made, "check": check_password("password", made)}
out["makeWithSalt"] = [
    {"password": "password", "salt": "abcdefghijklmnopqrstuv", "hasher": "pbkdf2_sha1",
     "encoded": make_password("password", "abcdefghijklmnopqrstuv", "pbkdf2_sha1")},
    {"password": "password", "salt": "", "hasher": "pbkdf2_sha1",
     "note": "an empty salt is replaced by a random one",
     "saltLength": len(make_password("password", "", "pbkdf2_sha1").split("$")[2])},
    {"password": "password", "salt": "a$b", "hasher": "pbkdf2_sha1",
     "result": error_of(lambda: make_password("password", "a$b", "pbkdf2_sha1"))},
    {"password": "password", "salt": "abc", "hasher": "md5",
     "result": error_of(lambda: make_password("password", "abc", "md5"))},
]

# -- salted_hmac and the session auth hash (V28-V29) ------------------------------------------------
out["saltedHmac"] = []
for salt, value, secret, algorithm in [("my-salt", "my-value", "my-secret", "sha256"),
                                       ("my-salt", "my-value", "my-secret", "sha1"),
                                       ("", "", "k", "sha256"), ("\u00e9", "\u4e2d", "\U0001F600", "sha256"),
                                       ("s", "v" * 300, "k" * 100, "sha1"), ("s", "v", "k", "sha512")]:
    out["saltedHmac"].append({"salt": salt, "value": value, "secret": secret, "algorithm": algorithm,
                              "hex": salted_hmac(salt, value, secret=secret, algorithm=algorithm).hexdigest()})
from django.contrib.auth.models import User  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
out["sessionAuthHash"] = []
for secret, password in [("wave2-test-secret-key",
                          "pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$4ipF2Ajd0UXH6B0Io4rzK4FtLwjT7W/ZYo6RLGjMyvc="),
                         ("passwords-fixture-secret", full), ("passwords-fixture-secret", "!" + rand(40)),
                         ("\u00e9 secret", "")]:
    with override_settings(SECRET_KEY=secret):
        u = User(pk=1, username="alice", password=password)
        out["sessionAuthHash"].append({"secret": secret, "password": password, "hash": u.get_session_auth_hash(),
                                       "legacy": u._legacy_get_session_auth_hash()})

# -- url_has_allowed_host_and_scheme (django/utils/http.py) -----------------------------------------
urls = [
    None, "", "   ", "/", "/next/", "next/", "?q=1", "#frag", "//example.com", "///example.com", "////example.com",
    "http://testserver/next/", "https://testserver/next/", "http://example.com", "https://example.com/x",
    "http:///example.com", "https:///example.com", "ftp://testserver/", "javascript:alert(1)",
    "javascript://testserver/%0Aalert(1)", "\\\\example.com", "\\/example.com", "/\\example.com",
    "http:\\\\example.com", "http://testserver\\@example.com", "http://example.com\\@testserver",
    "\x08//example.com", "\x00/x", "\u200b/x", "\ufeff/x", "\ue000/x", " /next/ ", "\t/next/", "\n//example.com",
    "http://[::1/", "http://::1]/", "http://user:pass@testserver/", "http://testserver:8000/", "HTTP://testserver/",
    "https://TESTSERVER/", "//testserver/ok", "mailto:x@testserver", "data:text/html,x", "http:/example.com",
    "http:example.com", "testserver", "/next/?a=b#c", "http://example.com@testserver/", "//testserver@example.com",
    "1:2", "a+b://testserver/", "http://testserver/\u00e9", "\u00e9/x", "http://\u00e9xample.com/",
]
hosts = [{"testserver"}, {"testserver", "example.com"}, set(), {"testserver:8000"}]
out["urlHasAllowedHostAndScheme"] = []
for url in urls:
    for allowed in hosts:
        for require_https in (False, True):
            out["urlHasAllowedHostAndScheme"].append({
                "url": url, "allowedHosts": sorted(allowed), "requireHttps": require_https,
                "result": url_has_allowed_host_and_scheme(url, allowed, require_https=require_https),
            })

with open(OUT, "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", os.path.normpath(OUT))
