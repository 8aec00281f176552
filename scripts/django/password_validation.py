"""Django 3.2 password-validation vectors for test/PasswordValidation.test.ts and the sign-up page
of the notes app (test/NotesApp.test.ts).

Run with /usr/bin/python3 (the interpreter that has Django 3.2):

    /usr/bin/python3 scripts/django/password_validation.py

Writes test/fixtures/password_validation.json: what each of Django's four default
AUTH_PASSWORD_VALIDATORS (and validate_password with all of them) says about a set of passwords
and users, their help texts, SequenceMatcher.quick_ratio on a few pairs, and the errors of
UserCreationForm (the sign-up form) for a set of posted forms, with the user `alice` existing.
Deterministic: fixed cases and a seeded generator.
"""
import json
import os
import random
from difflib import SequenceMatcher

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="password-validation-fixture-secret",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
    PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
    AUTH_PASSWORD_VALIDATORS=[
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ],
    USE_TZ=True,
)
django.setup()

from django.contrib.auth.forms import UserCreationForm  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth.password_validation import (  # noqa: E402
    CommonPasswordValidator, MinimumLengthValidator, NumericPasswordValidator, UserAttributeSimilarityValidator,
    password_validators_help_texts, validate_password)
from django.core.exceptions import ValidationError  # noqa: E402
from django.core.management import call_command  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "password_validation.json")
rng = random.Random(20)
out = {"django": django.get_version()}


def errors_of(f):
    try:
        f()
        return []
    except ValidationError as e:
        return [{"code": err.code, "message": m} for err in e.error_list for m in err.messages]


users = [
    None,
    {"username": "alice", "first_name": "", "last_name": "", "email": ""},
    {"username": "jsmith", "first_name": "John", "last_name": "Smith", "email": "john.smith@example.com"},
    {"username": "marie-curie", "first_name": "Marie", "last_name": "Curie", "email": "m.curie@radium.fr"},
    {"username": "\u00e9lodie", "first_name": "\u00c9lodie", "last_name": "B\u00e9rard", "email": ""},
    {"username": "x", "first_name": "", "last_name": "", "email": ""},
]
passwords = [
    "", "a", "short", "1234567", "12345678", "123456789012", "password", "PASSWORD", " Password ", "wonderland",
    "Wonderland", "alice", "alice123", "alice12345", "ALICE2021!", "aliceinwonderland", "correct horse battery staple",
    "Tr0ub4dor&3", "johnsmith", "smithjohn1", "john.smith@example.com", "Smith", "example.com1", "mariecurie",
    "curie1867!", "radium.fr", "\u00e9lodie2000", "B\u00e9rard!!", "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",
    "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "qwertyuiop", "iloveyou", "letmein!", "trustno1", "dragon",
    "monkey123", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "x" * 10, "xy", "\U0001F600\U0001F600\U0001F600\U0001F600",
    "p\u00e4ssw\u00f6rd", "\t123456789\n", "Passw0rd", "zaq12wsx",
    # str.isdigit() beyond decimal digits: circled, Ethiopic, dingbat, superscript, Kharoshthi digits.
    "\u2460\u2461\u2462\u2463\u2464\u2465\u2466\u2467", "\u1369\u136a\u136b\u136c\u136d\u136e\u136f\u1370",
    "\u2776\u2777\u2778\u2779\u277a\u277b\u277c\u277d", "\u2074\u2075\u2076\u2077\u2078\u2079\u00b9\u00b2",
    "\U00010a40\U00010a41\U00010a42\U00010a43\U0001f101\U0001f102\U0001f103\u24ea",
    "\u2460\u2461\u2462\u2463\u2464\u2465\u2466x",
]
chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !@#-_.\u00e9\u00df"
for _ in range(40):
    passwords.append("".join(rng.choice(chars) for _ in range(rng.randint(1, 14))))

validators = {
    "similarity": UserAttributeSimilarityValidator(),
    "minimumLength": MinimumLengthValidator(),
    "common": CommonPasswordValidator(),
    "numeric": NumericPasswordValidator(),
}
out["validate"] = []
for user_fields in users:
    user = None if user_fields is None else User(**user_fields)
    for password in passwords:
        out["validate"].append({
            "password": password,
            "user": user_fields,
            "each": {name: errors_of(lambda v=v: v.validate(password, user)) for name, v in validators.items()},
            "all": errors_of(lambda: validate_password(password, user)),
        })

out["options"] = []
for min_length in (1, 2, 12):
    for password in ("", "a", "abcdefghijk", "abcdefghijkl"):
        out["options"].append({"validator": "minimumLength", "minLength": min_length, "password": password,
                               "errors": errors_of(lambda: MinimumLengthValidator(min_length).validate(password))})
for max_similarity in (0.1, 0.5, 1.0):
    for password in ("alice", "alicexyz", "ecila", "bob", "a" * 60):
        user = User(username="alice")
        out["options"].append({
            "validator": "similarity", "maxSimilarity": max_similarity, "password": password, "user": "alice",
            "errors": errors_of(
                lambda: UserAttributeSimilarityValidator(max_similarity=max_similarity).validate(password, user)),
        })

out["helpTexts"] = password_validators_help_texts()
out["minimumLengthHelpText1"] = MinimumLengthValidator(1).get_help_text()

pairs = [("", ""), ("a", ""), ("abc", "cba"), ("alice", "alice123"), ("aaaa", "a"), ("\u00e9t\u00e9", "ete"),
         ("\U0001F600a", "a\U0001F600")]
out["quickRatio"] = [{"a": a, "b": b, "ratio": SequenceMatcher(a=a, b=b).quick_ratio()} for a, b in pairs]

# -- UserCreationForm, with `alice` in auth_user --------------------------------------------------
call_command("migrate", verbosity=0)
User.objects.create_user("alice", password="wonderland")
forms = [
    {},
    {"username": "", "password1": "", "password2": ""},
    {"username": "bob", "password1": "", "password2": ""},
    {"username": "bob", "password1": "sup3r-secret", "password2": ""},
    {"username": "bob", "password1": "", "password2": "sup3r-secret"},
    {"username": "bob", "password1": "sup3r-secret", "password2": "sup3r-secreT"},
    {"username": "bob", "password1": "sup3r-secret", "password2": "sup3r-secret"},
    {"username": "alice", "password1": "sup3r-secret", "password2": "sup3r-secret"},
    {"username": "ALICE", "password1": "sup3r-secret", "password2": "sup3r-secret"},
    {"username": "  carol  ", "password1": "sup3r-secret", "password2": "sup3r-secret"},
    {"username": "bad name", "password1": "sup3r-secret", "password2": "sup3r-secret"},
    {"username": "bad/name!", "password1": "x", "password2": "y"},
    {"username": "a" * 150, "password1": "sup3r-secret", "password2": "sup3r-secret"},
    {"username": "a" * 151, "password1": "sup3r-secret", "password2": "sup3r-secret"},
    {"username": "dave", "password1": "short", "password2": "short"},
    {"username": "dave", "password1": "12345678", "password2": "12345678"},
    {"username": "dave", "password1": "1234", "password2": "1234"},
    {"username": "dave", "password1": "password", "password2": "password"},
    {"username": "dave", "password1": "dave1234", "password2": "dave1234"},
    {"username": "davidson", "password1": "davidson", "password2": "davidson"},
    {"username": "dave", "password1": " padded secret ", "password2": " padded secret "},
    {"username": "dave", "password1": " padded secret ", "password2": "padded secret"},
    {"username": "\u00e9lodie.b", "password1": "\u00e9lodie.b!", "password2": "\u00e9lodie.b!"},
    {"username": "\uff45ve", "password1": "sup3r-secret", "password2": "sup3r-secret"},
    {"username": "user@example.com", "password1": "user@example.com", "password2": "user@example.com"},
    {"username": "alice", "password1": "alice", "password2": "alice"},
]
out["signup"] = []
for data in forms:
    form = UserCreationForm(data)
    valid = form.is_valid()
    out["signup"].append({
        "data": data,
        "valid": valid,
        "errors": {field: [e["message"] for e in errs] for field, errs in form.errors.get_json_data().items()},
        "username": form.cleaned_data.get("username") if valid else None,
    })

with open(OUT, "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", os.path.normpath(OUT))
