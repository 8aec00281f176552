"""Writes test/fixtures/querydict.json: Django 3.2's QueryDict on many inputs.

Run with /usr/bin/python3 (Django 3.2 installed). Deterministic (fixed seed).
For every case: the input (a str, or bytes as hex), the encoding, the field
limit, and Django's lists(), urlencode(), urlencode(safe='/') and
urlencode(safe=":/?#[]@!$'()*+,;=") -- or the exception's class and message.
"""
import json
import os
import random

import django
from django.conf import settings

settings.configure(DEFAULT_CHARSET="utf-8")
django.setup()

from django.http import QueryDict  # noqa: E402

SAFE_WIDE = ":/?#[]@!$'()*+,;="

HAND = [
    "", "a", "a=", "=a", "=", "&", "&&", "a&", "&a", "a=1&a=2", "a=1&b=2&a=3",
    "a=1;b=2&c=%20+x&d&=e&f=&&", "a=b=c", "a==b", "+", "a+b=c+d", "%2B=%2b", "%", "%%", "%2", "%zz",
    "a=%", "a=%4", "a=%41", "a=%4%41", "%C3%A9=%C3%A9", "%c3%a9", "%C3", "%C3%", "%C3%28", "%E2%82",
    "%E2%82%AC", "%F0%9F%98%80", "%ED%A0%80", "%F4%90%80%80", "%C0%AF", "%FF%FE", "%EF%BB%BFa=b",
    "é=ü", "%C3é%A9", "é%C3%A9", "☃=%E2%98%83", "😀=%F0%9F%98%80", "a%00b=c%00", "a=%0D%0A",
    "next=%2Fa%26b%2F", "q=%7E~", "q=%7e", "a[]=1&a[]=2", "a[b]=c", "a.b=c", "a%26b=c%3Dd", "a%3Db",
    "%20=%20", "+=+", "++a++", "a=1&&b=2", "&&&a=1&&&", "a=1&amp;b=2", "key=value with spaces",
    "k=%25", "k=%2525", "k=100%", "k=100%25", "%61=%62", "A=a&a=A", "__proto__=1", "constructor=x",
    "hasOwnProperty=y&toString=z", "a=%E9", "a=caf%E9", "%A4=%A4", "x=%80%81%8D%8F%90%9D%9F",
    "utf8=%E2%9C%93&q=%D1%82%D0%B5%D1%81%D1%82", "a=%u00e9", "a=%G1", "a=%1G", "\t=\n", "a b=c d",
    "a\u00a0=b", "name=O%27Reilly", 'x="q"', "x=<script>", "x=%3Cscript%3E",
]

ENCODED_STR = [
    ("cur=%A4", "iso-8859-15"), ("a=%E9&b=%C3%A9", "latin-1"), ("a=%E9&b=%C3%A9", "iso-8859-1"),
    ("a=%80%81%9F%A0%FF", "latin-1"), ("a=%80%81%9F%A0%FF", "iso-8859-1"), ("a=%80%81%9F", "latin1"),
    ("a=%E9", "ascii"), ("a=%41", "ascii"), ("a=%80%81%8D%8F%90%9D%9F", "cp1252"),
    ("a=%80%81%8D%8F%90%9D%9F", "windows-1252"), ("a=%82%A0%82%A2", "shift_jis"), ("a=%93%FA%96%7B", "shift_jis"),
    ("k=%82%A0", "shift_jis"), ("k=%82", "shift_jis"), ("a=%A4%A2", "euc-jp"), ("a=%C4%E3%BA%C3", "gbk"),
    ("a=%C4%E3%BA%C3", "gb18030"), ("a=%B0%A1", "euc-kr"), ("a=%A4%40", "big5"), ("a=%E9&b=é", "latin-1"),
    ("a=%D0%C1", "koi8-r"), ("a=%E0", "iso-8859-5"), ("a=%E0", "windows-1251"), ("é=%E9", "latin-1"),
    ("a=%A4", "iso-8859-15"), ("a=b", "UTF-8"), ("a=%C3%A9", "utf8"), ("a=%C3%A9", "LATIN-1"),
]

BYTES = [
    (b"a=1&b=2", "utf-8"), (b"a=\xc3\xa9", "utf-8"), (b"a=\xe9", "utf-8"), (b"a=\xe9&b=%C3%A9", "utf-8"),
    (b"\xff\xfe=\x80", "utf-8"), (b"a=\xe9", "latin-1"), (b"a=\x80\x9f", "latin-1"), (b"a=\x82\xa0", "shift_jis"),
    (b"a=\x82", "shift_jis"), (b"a=\x82&b=%82%A0", "shift_jis"), (b"\xef\xbb\xbfa=b", "utf-8"),
    (b"a=\xed\xa0\x80", "utf-8"), (b"a=\xc3\xa9&b=%E9", "latin-1"), (b"a=%E9", "latin-1"), (b"", "utf-8"),
    (b"a=\x81", "cp1252"), (b"a=\x80", "cp1252"), (b"a=\x80", "ascii"), (b"a=b", "ascii"),
]

TOKENS = [
    "a", "b", "k", "=", "=", "&", "&", "+", "%", "%2", "%20", "%2B", "%26", "%3D", "%C3", "%A9", "%C3%A9",
    "%E2%98%83", "%F0%9F", "%98%80", "%e9", "%ff", "%zz", "%0", ";", "é", "☃", "😀", " ", "x", "1", "%25",
    "~", "/", "?", "#", "[", "]", "*", "'", "\"", "\u00a0", "\u0000", "\n", "%00",
]

BYTE_TOKENS = [b"a", b"=", b"&", b"+", b"%", b"%C3%A9", b"%E9", b"\xc3\xa9", b"\xe9", b"\x80", b"\xff",
               b"\x82\xa0", b"\xe2\x98", b"\x83", b"x", b"%2", b"%zz", b";"]


def django_case(raw, encoding, max_fields=1000):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = max_fields
    case = {"encoding": encoding, "maxNumFields": max_fields}
    if isinstance(raw, bytes):
        case["bytes"] = raw.hex()
    else:
        case["input"] = raw
    try:
        q = QueryDict(raw, encoding=encoding)
    except Exception as e:  # TooManyFieldsSent
        case["error"] = [type(e).__name__, str(e)]
        return case
    case["lists"] = [[k, list(v)] for k, v in q.lists()]
    for name, safe in (("urlencode", None), ("urlencodeSlash", "/"), ("urlencodeWide", SAFE_WIDE)):
        try:
            case[name] = q.urlencode(safe=safe)
        except UnicodeEncodeError:
            case[name] = None
    return case


def main():
    rng = random.Random(20261123)
    cases = []
    for s in HAND:
        cases.append(django_case(s, "utf-8"))
    for s, enc in ENCODED_STR:
        cases.append(django_case(s, enc))
    for b, enc in BYTES:
        cases.append(django_case(b, enc))
    for _ in range(160):
        s = "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 14)))
        cases.append(django_case(s, "utf-8"))
    for _ in range(30):
        s = "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 10)))
        cases.append(django_case(s, rng.choice(["latin-1", "iso-8859-1", "cp1252", "shift_jis", "euc-jp"])))
    for _ in range(50):
        b = b"".join(rng.choice(BYTE_TOKENS) for _ in range(rng.randint(0, 10)))
        cases.append(django_case(b, rng.choice(["utf-8", "utf-8", "latin-1", "shift_jis", "cp1252"])))
    # The field limit, counted as 1 + count('&') (0 for an empty string).
    for s, limit in [("a=1&b=2", 1), ("a=1&b=2", 2), ("a&", 1), ("a&", 2), ("", 0), ("a", 0), ("&&&", 3),
                     ("&&&", 4), ("a=1;b=2;c=3", 1), ("a=1&b=2&c=3", 2), ("a=1&b=2&c=3", 3)]:
        cases.append(django_case(s, "utf-8", limit))
    cases.append(django_case("&".join("f%d=%d" % (i, i) for i in range(1000)), "utf-8", 1000))
    cases.append(django_case("&".join("f%d=%d" % (i, i) for i in range(1001)), "utf-8", 1000))
    cases.append(django_case(b"a=1&b=2&c=3", "utf-8", 2))
    cases.append(django_case("&".join("f=%d" % i for i in range(3000)), "utf-8", None))
    # MultiValueDictKeyError's message is the repr of the missing key.
    key_errors = []
    for key in ["x", "it's", 'a"b', "a'b\"c", "\n\t\r\\", "é", "\x00", "\x7f", "\x85", "\xa0", "\xad", "\u2028",
                "\u200b", "😀", "\U000e0001", "\ufeff", " ", "\u3000", "日本"]:
        try:
            QueryDict("")[key]
        except Exception as e:
            key_errors.append([key, type(e).__name__, str(e)])
    out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "querydict.json")
    with open(out, "w") as f:
        json.dump({"django": django.get_version(), "cases": cases, "keyErrors": key_errors}, f, indent=0)
        f.write("\n")
    print("wrote %d cases" % len(cases))


if __name__ == "__main__":
    main()
