import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { Settings, Signing } from "../src/index.js"

// Live interop with the real Django 3.2 under /usr/bin/python3: a cookie signed by Django is
// read here, and one signed here is read by Django's request.get_signed_cookie. Skipped (and
// says so) where Django is not importable; .ci/run installs python3-django so CI runs it.
const python = "/usr/bin/python3"
const djangoMissing = !existsSync(python) || spawnSync(python, ["-c", "import django"]).status !== 0
const skipReason = djangoMissing ? ` [SKIPPED: ${python} cannot import django]` : ""
if (djangoMissing) console.warn(`Signing interop with Django skipped: ${python} cannot import django`)

const program = String.raw`
import json, sys
import django
from django.conf import settings
job = json.load(sys.stdin)
settings.configure(SECRET_KEY=job["secret"], SECRET_KEY_FALLBACKS=[])
django.setup()
from django.core import signing
from django.http import HttpRequest, HttpResponse
out = {}
response = HttpResponse()
response.set_signed_cookie(job["name"], job["value"], salt=job["salt"])
out["djangoSigned"] = response.cookies[job["name"]].value
request = HttpRequest()
request.COOKIES[job["name"]] = job["oursSigned"]
try:
    out["djangoRead"] = {"ok": request.get_signed_cookie(job["name"], salt=job["salt"], max_age=60)}
except signing.BadSignature as e:
    out["djangoRead"] = {"error": type(e).__name__, "message": str(e)}
request.COOKIES[job["name"]] = job["oursSigned"][:-1] + ("A" if job["oursSigned"][-1] != "A" else "B")
try:
    request.get_signed_cookie(job["name"], salt=job["salt"])
    out["djangoTampered"] = "accepted"
except signing.BadSignature as e:
    out["djangoTampered"] = type(e).__name__
out["djangoDumps"] = signing.dumps(job["obj"], compress=True)
out["djangoLoads"] = signing.loads(job["oursDumps"], max_age=60)
print(json.dumps(out))
`

describe(`Signing: live interop with Django 3.2${skipReason}`, () => {
  it.live.skipIf(djangoMissing)(
    "cookies and dumps signed by Django read here, and ours read in Django",
    () =>
      Effect.gen(function*() {
        const secret = "interop-s3cret-\u00e9\u4e2d"
        const settings = Settings.make({ SECRET_KEY: secret })
        const name = "sessionid"
        const salt = "s:alt"
        const value = "T\u00f8ny: 1:2 \u2019 \uD83D\uDE00 ; ,"
        const obj = { user: 42, roles: ["admin", "\u00e9diteur"], big: "x".repeat(300) }
        const oursSigned = yield* Signing.signCookie(settings, name, value, { salt })
        const oursDumps = yield* Signing.dumps(obj, { key: secret, compress: true })
        expect(oursDumps.startsWith(".")).toBe(true)
        const run = spawnSync(python, ["-c", program], {
          input: JSON.stringify({ secret, name, salt, value, obj, oursSigned, oursDumps }),
          encoding: "utf8"
        })
        expect(run.stderr).toBe("")
        expect(run.status).toBe(0)
        const out = JSON.parse(run.stdout) as {
          djangoSigned: string
          djangoRead: unknown
          djangoTampered: string
          djangoDumps: string
          djangoLoads: unknown
        }
        // Ours, read by Django.
        expect(out.djangoRead).toEqual({ ok: value })
        expect(out.djangoTampered).toBe("BadSignature")
        expect(out.djangoLoads).toEqual(obj)
        // Django's, read here (with the live clock: signed moments ago).
        expect(yield* Signing.unsignCookie(settings, name, out.djangoSigned, { salt, maxAge: 60 })).toBe(value)
        expect(Either.isLeft(Signing.unsignCookieAt(settings, name, out.djangoSigned, 0, { salt: "other" }))).toBe(true)
        expect(yield* Signing.loads(out.djangoDumps, { key: secret, maxAge: 60 })).toEqual(obj)
      }),
    30_000
  )
})
