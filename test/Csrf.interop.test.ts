import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { Csrf, HttpResponse, Passwords, RequestFactory, ResponseCookies, Settings, View } from "../src/index.js"

// Live interop with the real Django 3.2 under /usr/bin/python3: a CSRF cookie and token issued
// by Django's CsrfViewMiddleware pass our check and ours pass Django's; a password hash made
// here verifies in Django and Django's here. Skipped (and says so) where Django is not
// importable; .ci/run installs python3-django so CI runs it.
const python = "/usr/bin/python3"
const djangoMissing = !existsSync(python) || spawnSync(python, ["-c", "import django"]).status !== 0
const skipReason = djangoMissing ? ` [SKIPPED: ${python} cannot import django]` : ""
if (djangoMissing) console.warn(`CSRF and password interop with Django skipped: ${python} cannot import django`)

const program = String.raw`
import json, sys
import django
from django.conf import settings
job = json.load(sys.stdin)
settings.configure(SECRET_KEY="interop", ALLOWED_HOSTS=["testserver"])
django.setup()
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory
rf = RequestFactory()
view = lambda request: HttpResponse(get_token(request))
mw = CsrfViewMiddleware(view)
out = {}
# Django issues a cookie and a token.
request = rf.get("/")
mw.process_request(request)
response = mw.process_response(request, view(request))
out["djangoCookie"] = response.cookies["csrftoken"].value
out["djangoToken"] = response.content.decode()
# Django checks ours.
def django_check(cookie, token, secure=False, referer=None):
    extra = {"HTTP_COOKIE": "csrftoken=" + cookie}
    if referer is not None:
        extra["HTTP_REFERER"] = referer
    request = rf.post("/", {"csrfmiddlewaretoken": token}, secure=secure, **extra)
    mw.process_request(request)
    rejected = mw.process_view(request, view, (), {})
    return "ACCEPT" if rejected is None else rejected.status_code
out["djangoChecksOurs"] = django_check(job["ourCookie"], job["ourToken"])
out["djangoChecksOursHttps"] = django_check(job["ourCookie"], job["ourToken"], True, "https://testserver/form")
out["djangoChecksOursWrong"] = django_check(job["ourCookie"], job["otherToken"])
# Passwords both ways.
out["djangoVerifiesOurs"] = [check_password(p, e) for p, e in job["ourHashes"]]
out["djangoRejectsWrong"] = [check_password(p + "x", e) for p, e in job["ourHashes"]]
out["djangoHashes"] = [[p, make_password(p, hasher=h)] for p, h in job["passwords"]]
print(json.dumps(out))
`

const body = (response: View.Response): string =>
  HttpResponse.isHttpResponse(response) ? new TextDecoder().decode(HttpResponse.content(response)) : ""

describe(`Csrf and Passwords: live interop with Django 3.2${skipReason}`, () => {
  it.live.skipIf(djangoMissing)(
    "CSRF tokens and password hashes are accepted across both implementations",
    () =>
      Effect.gen(function*() {
        const settings = Settings.make({ ALLOWED_HOSTS: ["testserver"] })
        // Ours: a GET that asks for a token; the response sets the cookie.
        const issued = yield* Csrf.middleware(() =>
          Effect.flatMap(Csrf.getToken, (t) => Effect.orDie(HttpResponse.make({ content: t })))
        )(RequestFactory.get("/", { settings }))
        const ourToken = body(issued)
        const setCookie = HttpResponse.isHttpResponse(issued) ? ResponseCookies.setCookieHeaders(issued) : []
        const ourCookie = /^csrftoken=([A-Za-z0-9]{64});/.exec(setCookie[0] ?? "")![1]!
        const passwords: Array<[string, string]> = [["s3cret \u00e9\u4e2d", "pbkdf2_sha256"], [
          "hunter2",
          "pbkdf2_sha1"
        ]]
        const ourHashes: Array<[string, string]> = []
        for (const [p, h] of passwords) ourHashes.push([p, yield* Passwords.makePassword(p, { hasher: h })])
        const run = spawnSync(python, ["-c", program], {
          input: JSON.stringify({
            ourCookie,
            ourToken,
            otherToken: Csrf.maskSecret(Csrf.newSecret()),
            ourHashes,
            passwords
          }),
          encoding: "utf8"
        })
        expect(run.stderr).toBe("")
        expect(run.status).toBe(0)
        const out = JSON.parse(run.stdout) as {
          djangoCookie: string
          djangoToken: string
          djangoChecksOurs: string | number
          djangoChecksOursHttps: string | number
          djangoChecksOursWrong: string | number
          djangoVerifiesOurs: Array<boolean>
          djangoRejectsWrong: Array<boolean>
          djangoHashes: Array<[string, string]>
        }
        // Ours, checked by Django.
        expect(out.djangoChecksOurs).toBe("ACCEPT")
        expect(out.djangoChecksOursHttps).toBe("ACCEPT")
        expect(out.djangoChecksOursWrong).toBe(403)
        // Django's, checked here.
        const post = (token: string, secure = false) =>
          RequestFactory.post("/", {
            form: { csrfmiddlewaretoken: token },
            cookies: { csrftoken: out.djangoCookie },
            headers: secure ? { Referer: "https://testserver/form" } : {},
            secure,
            settings
          })
        expect(yield* Effect.either(Csrf.check(post(out.djangoToken)))).toEqual(Either.right(undefined))
        expect(yield* Effect.either(Csrf.check(post(out.djangoToken, true)))).toEqual(Either.right(undefined))
        const wrong = yield* Effect.either(Csrf.check(post(ourToken)))
        expect(Either.isLeft(wrong) && Csrf.isCsrfFailure(wrong.left) && wrong.left.reason).toBe(
          Csrf.REASON_BAD_TOKEN
        )
        // Passwords both ways.
        expect(out.djangoVerifiesOurs).toEqual([true, true])
        expect(out.djangoRejectsWrong).toEqual([false, false])
        for (const [p, encoded] of out.djangoHashes) {
          expect(yield* Passwords.checkPassword(p, encoded)).toBe(true)
          expect(yield* Passwords.checkPassword(p + "x", encoded)).toBe(false)
        }
      }),
    60_000
  )
})
