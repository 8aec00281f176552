/**
 * The notes app (examples/notes/, issue #20) in a real browser: Debian's Chromium driven by
 * playwright-core against the app served as `npm start` serves it (test/e2e/harness.ts), held to
 * /work/notes/s6/NOTES-CONTRACT.md's pages and selectors. What a person does: sign in, create,
 * search, upload and download an attachment, edit through a validation error, sign out and find
 * the pages closed (also through the back button), a forged CSRF token refused with Django's 403
 * page, the whole create flow with JavaScript off; and axe-core, injected into every page the tests
 * reach with JavaScript on, reports no violation of impact serious or critical.
 *
 * Each test saves a screenshot of its last page under test-results/e2e/. Without /usr/bin/chromium
 * (`apt-get install chromium`; `.ci/run` installs it) the tests are skipped with a message.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { readFileSync } from "node:fs"
import type { Locator, Page, Response } from "playwright-core"
import {
  audit,
  chromiumLayer,
  chromiumPath,
  e2eSkip,
  markup,
  notesServerLayer,
  pageRules,
  screenshot,
  session,
  type Violation
} from "./harness.js"

if (e2eSkip) {
  console.warn(
    `Browser tests (test/e2e/) skipped: ${chromiumPath} is missing (apt-get install chromium; bash .ci/run installs it)`
  )
}

/** Django 3.2's AuthenticationForm `invalid_login` message (username's verbose name lowercased). */
const INVALID_LOGIN = "Please enter a correct username and password. Note that both fields may be case-sensitive."
/** Django's `Field.default_error_messages["required"]`. */
const REQUIRED = "This field is required."
/** Django's CSRF failure page (django.views.csrf), without DEBUG. */
const CSRF_FAILED = "CSRF verification failed. Request aborted."
/** Django 3.2's UserCreationForm `password_mismatch` (with its typographic apostrophe). */
const PASSWORD_MISMATCH = "The two password fields didn\u2019t match."
/** Django 3.2's `never_cache` (add_never_cache_headers). */
const NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"

/** The paths whose page axe checked, in the order visited. */
const audited: Array<string> = []
/** axe-core's verdict on each markup checked so far (see `markup`): a page seen again is not re-run. */
const verdicts = new Map<string, ReadonlyArray<Violation>>()

/**
 * The page has loaded: a page of the app (not an error page) keeps the contract's rules for pages,
 * and, with `axe` (scripts on), axe-core finds no serious or critical violation in any page.
 */
const arrived = async (page: Page, status: number, axe = true) => {
  await page.waitForLoadState("load")
  const url = new URL(page.url())
  if (status < 400) expect(await pageRules(page), `the page rules on ${url.pathname}${url.search}`).toEqual([])
  if (!axe) return
  const key = await markup(page)
  const violations = verdicts.get(key) ?? await audit(page)
  verdicts.set(key, violations)
  audited.push(url.pathname)
  expect(violations, `axe-core on ${url.pathname}${url.search}`).toEqual([])
}

/** GET `path` in the page; the final response (after redirects). */
const open = async (page: Page, path: string, axe = true): Promise<Response> => {
  const response = await page.goto(path)
  if (response === null) throw new Error(`no response for ${path}`)
  await arrived(page, response.status(), axe)
  return response
}

/** Clicks `button` (a form's submit button or a link) and waits for the page it leads to. */
const follow = async (page: Page, button: Locator, axe = true): Promise<Response> => {
  const [response] = await Promise.all([page.waitForNavigation(), button.click()])
  if (response === null) throw new Error(`no response after clicking ${button}`)
  await arrived(page, response.status(), axe)
  return response
}

/** The page's path, and its query string when it has one. */
const where = (page: Page) => {
  const url = new URL(page.url())
  return url.pathname + url.search
}

const button = (page: Page, name: string) => page.getByRole("button", { name, exact: true })

/**
 * Signs in through the login form, arriving there as a visitor does: `/notes/` sends to
 * `/accounts/login/?next=/notes/`, and the form sends back to `/notes/`.
 */
const signIn = async (page: Page, username = "alice", password = "wonderland", axe = true) => {
  await open(page, "/notes/", axe)
  expect(new URL(page.url()).pathname).toBe("/accounts/login/")
  expect(new URL(page.url()).searchParams.get("next")).toBe("/notes/")
  await page.locator("#id_username").fill(username)
  await page.locator("#id_password").fill(password)
  await follow(page, button(page, "Sign in"), axe)
  expect(where(page)).toBe("/notes/")
  expect(await page.locator("#whoami").innerText()).toBe(username)
}

/** A note's id from its detail page's URL. */
const noteId = (page: Page) => {
  const m = /^\/notes\/(\d+)\/$/.exec(new URL(page.url()).pathname)
  if (m === null) throw new Error(`not a note's page: ${page.url()}`)
  return Number(m[1])
}

/** A file to attach, as playwright's `setInputFiles` takes it. */
interface File {
  readonly name: string
  readonly mimeType: string
  readonly buffer: Buffer
}

/** Creates a note from the form at /notes/new/; ends on its detail page, returns its id. */
const createNote = async (page: Page, title: string, body: string, attachment?: File, axe = true) => {
  await open(page, "/notes/new/", axe)
  await page.locator("#id_title").fill(title)
  await page.locator("#id_body").fill(body)
  if (attachment !== undefined) await page.locator("#id_attachment").setInputFiles(attachment)
  const response = await follow(page, button(page, "Save"), axe)
  expect(response.status()).toBe(200)
  const id = noteId(page)
  expect(await page.locator("#note-title").innerText()).toBe(title)
  expect(await page.locator("#note-body").innerText()).toBe(body)
  return id
}

/** The titles the list shows, in order. */
const listed = (page: Page) => page.locator("#notes li.note a").allInnerTexts()

/** Searches from the list's search form; the titles found. */
const search = async (page: Page, q: string) => {
  await page.locator("#id_q").fill(q)
  await follow(page, button(page, "Search"))
  expect(new URL(page.url()).pathname).toBe("/notes/")
  expect(new URL(page.url()).searchParams.get("q")).toBe(q)
  return listed(page)
}

/**
 * The error list `errorsId` sits beside the field `fieldId` on the page: of all the form's fields
 * (each taken with its `<label for>`), the one nearest to the list, as drawn, is that field. (Django
 * puts the list just above the field's row; a list just below the input is beside it too.)
 */
const besideField = (page: Page, errorsId: string, fieldId: string) =>
  page.evaluate(([errorsId, fieldId]) => {
    interface Box {
      readonly left: number
      readonly right: number
      readonly top: number
      readonly bottom: number
    }
    interface El {
      readonly id: string
      readonly form: El | null
      getBoundingClientRect(): Box
      querySelectorAll(selector: string): Iterable<El>
    }
    const document = (globalThis as unknown as {
      document: { getElementById(id: string): El | null; querySelector(selector: string): El | null }
    }).document
    const errors = document.getElementById(errorsId)
    const field = document.getElementById(fieldId)
    if (errors === null || field === null || field.form === null) {
      return `missing #${errors === null ? errorsId : fieldId}`
    }
    const box = (el: El): Box => {
      const a = el.getBoundingClientRect()
      const label = document.querySelector(`label[for="${el.id}"]`)
      if (label === null) return a
      const b = label.getBoundingClientRect()
      return {
        left: Math.min(a.left, b.left),
        right: Math.max(a.right, b.right),
        top: Math.min(a.top, b.top),
        bottom: Math.max(a.bottom, b.bottom)
      }
    }
    const e = errors.getBoundingClientRect()
    const gap = (b: Box) =>
      Math.hypot(Math.max(0, b.left - e.right, e.left - b.right), Math.max(0, b.top - e.bottom, e.top - b.bottom))
    const fields = [...field.form.querySelectorAll("input:not([type=hidden]), textarea, select")]
    const nearest = fields.map((f) => ({ id: f.id, gap: gap(box(f)) })).sort((a, b) => a.gap - b.gap)[0]
    return nearest?.id === fieldId ? "beside" : `nearest to #${errorsId}: #${nearest?.id}`
  }, [errorsId, fieldId] as const)

/** The signed-in header's "Sign out" button. */
const signOut = async (page: Page, axe = true) => {
  await follow(page, page.locator("#logout-form").getByRole("button", { name: "Sign out" }), axe)
  expect(where(page)).toBe("/accounts/login/")
}

/** Bytes that are not text: every byte value, in a pattern. */
const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37 + (i >> 8)) % 256))

describe.skipIf(e2eSkip)("the notes app in Chromium (issue #20)", () => {
  layer(Layer.mergeAll(notesServerLayer(), chromiumLayer), { timeout: "90 seconds", excludeTestServices: true })(
    (it) => {
      it.effect(
        "signing in: a wrong password shows Django's message; alice/wonderland reaches her notes",
        () =>
          session("sign-in", async (page) => {
            // `/` sends to the list, which sends a visitor to the login page.
            await open(page, "/")
            expect(new URL(page.url()).pathname).toBe("/accounts/login/")
            expect(new URL(page.url()).searchParams.get("next")).toBe("/notes/")
            await page.locator("#id_username").fill("alice")
            await page.locator("#id_password").fill("not her password")
            const failed = await follow(page, button(page, "Sign in"))
            expect(failed.status()).toBe(200)
            expect(await page.locator("ul.errorlist.nonfield li").allInnerTexts()).toEqual([INVALID_LOGIN])
            await page.locator("#id_username").fill("alice")
            await page.locator("#id_password").fill("wonderland")
            await follow(page, button(page, "Sign in"))
            expect(where(page)).toBe("/notes/")
            expect(await page.locator("#whoami").innerText()).toBe("alice")
            expect(await page.title()).not.toBe("")
          }),
        30_000
      )

      it.effect(
        "sign-in's next: a page of the site is followed, another site is not; sign-out is POST only",
        () =>
          session("sign-in-next", async (page) => {
            await open(page, "/notes/new/")
            expect(new URL(page.url()).searchParams.get("next")).toBe("/notes/new/")
            await page.locator("#id_username").fill("alice")
            await page.locator("#id_password").fill("wonderland")
            await follow(page, button(page, "Sign in"))
            expect(where(page)).toBe("/notes/new/")
            // Django's LogoutView in 3.2 also logs out on GET; the contract's sign-out is POST only.
            const get = await page.request.get("/accounts/logout/")
            expect(get.status()).toBe(405)
            expect(get.headers()["allow"]).toBe("POST")
            await signOut(page)
            for (const next of ["https://evil.example/", "//evil.example/notes/"]) {
              await open(page, `/accounts/login/?next=${encodeURIComponent(next)}`)
              await page.locator("#id_username").fill("alice")
              await page.locator("#id_password").fill("wonderland")
              await follow(page, button(page, "Sign in"))
              expect(where(page), `next=${next}`).toBe("/notes/")
              await signOut(page)
            }
            // The stylesheet the pages link to.
            const css = await page.request.get("/static/notes.css")
            expect(css.status()).toBe(200)
            expect(css.headers()["content-type"]).toBe("text/css")
          }),
        30_000
      )

      it.effect(
        "creating notes, newest first; search finds one by title or body, any case, and not the others",
        () =>
          session("create-and-search", async (page) => {
            await signIn(page)
            await createNote(page, "Shopping list", "Eggs, flour and MILK for the pancakes.")
            await createNote(page, "Holiday plans", "Train to the coast on Friday; back on Sunday.")
            await createNote(page, "Reading", "Django's design philosophies, then the Effect docs.")
            await open(page, "/notes/")
            const all = await listed(page)
            expect(all.slice(0, 3)).toEqual(["Reading", "Holiday plans", "Shopping list"])
            await screenshot(page, "notes-list", { content: true })
            expect(await search(page, "shopping")).toEqual(["Shopping list"])
            expect(await search(page, "milk")).toEqual(["Shopping list"])
            expect(await search(page, "COAST")).toEqual(["Holiday plans"])
            expect(await search(page, "no such words anywhere")).toEqual([])
            expect(await page.locator("#no-notes").innerText()).toBe("No notes.")
            // Following a title leads to that note.
            await search(page, "holiday")
            await follow(page, page.locator("#notes li.note a", { hasText: "Holiday plans" }))
            expect(await page.locator("#note-title").innerText()).toBe("Holiday plans")
          }),
        30_000
      )

      it.effect(
        "an attachment uploaded on the detail page downloads with the same bytes and its name",
        () =>
          session("attachment", async (page) => {
            await signIn(page)
            const id = await createNote(page, "Trip to Lyon", "Tickets and the hotel booking are attached.")
            // No file (the input is `required`: sent as a browser without that check would send it, a
            // part with an empty filename, which Django's parser drops): a required FileField's error.
            await page.locator("#upload-form #id_file").evaluate((input) => input.removeAttribute("required"))
            const empty = await follow(page, page.locator("#upload-form").getByRole("button", { name: "Upload" }))
            expect(empty.status()).toBe(200)
            expect(await page.locator("#errors-file li").allInnerTexts()).toEqual([REQUIRED])
            expect(await besideField(page, "errors-file", "id_file")).toBe("beside")
            expect(await page.locator("#attachments a.attachment").count()).toBe(0)
            const files: ReadonlyArray<File> = [
              { name: "café plan.bin", mimeType: "application/octet-stream", buffer: binary },
              { name: "booking.txt", mimeType: "text/plain", buffer: Buffer.from("Hôtel du Parc, 2 nights\n") }
            ]
            for (const file of files) {
              await page.locator("#upload-form #id_file").setInputFiles(file)
              await follow(page, page.locator("#upload-form").getByRole("button", { name: "Upload" }))
              expect(where(page)).toBe(`/notes/${id}/`)
            }
            const links = page.locator("#attachments a.attachment")
            expect((await links.allInnerTexts()).slice().sort()).toEqual(["booking.txt", "café plan.bin"])
            await screenshot(page, "notes-detail", { content: true })
            for (const file of files) {
              const link = links.filter({ hasText: file.name })
              expect(await link.getAttribute("href")).toMatch(new RegExp(`^/notes/${id}/attachments/\\d+/$`))
              const [download] = await Promise.all([page.waitForEvent("download"), link.click()])
              expect(download.suggestedFilename()).toBe(file.name)
              const path = await download.path()
              expect(readFileSync(path).equals(file.buffer)).toBe(true)
            }
            // The headers of the download: FileResponse(as_attachment=True), the type guessed from the name.
            const text = await page.request.get((await links.filter({ hasText: "booking.txt" }).getAttribute("href"))!)
            expect(text.status()).toBe(200)
            expect(text.headers()["content-type"]).toBe("text/plain")
            expect(text.headers()["content-disposition"]).toBe(`attachment; filename="booking.txt"`)
            // The page is still the note's: a download does not navigate.
            expect(where(page)).toBe(`/notes/${id}/`)
          }),
        30_000
      )

      it.effect(
        "editing with an empty title shows the error beside the field and keeps the body; fixing it saves",
        () =>
          session("edit-validation", async (page) => {
            await signIn(page)
            const id = await createNote(page, "Draft letter", "Dear Sir,")
            await follow(page, page.locator("#edit-note"))
            expect(where(page)).toBe(`/notes/${id}/edit/`)
            expect(await page.locator("#id_title").inputValue()).toBe("Draft letter")
            expect(await page.locator("#id_body").inputValue()).toBe("Dear Sir,")
            await page.locator("#id_title").fill("")
            await page.locator("#id_body").fill("Dear Madam,\nthe body I typed is kept.")
            // The title input is `required`: the browser itself would refuse to submit. The server's
            // check is the one under test, so the form is sent as a browser without that check would.
            await page.locator("#id_title").evaluate((input) => input.removeAttribute("required"))
            const invalid = await follow(page, button(page, "Save"))
            expect(invalid.status()).toBe(200)
            expect(where(page)).toBe(`/notes/${id}/edit/`)
            expect(await page.locator("#errors-title li").allInnerTexts()).toEqual([REQUIRED])
            expect(await besideField(page, "errors-title", "id_title")).toBe("beside")
            expect(await page.locator("#id_title").inputValue()).toBe("")
            expect(await page.locator("#id_body").inputValue()).toBe("Dear Madam,\nthe body I typed is kept.")
            // Too long: Django's max_length message, with the length.
            await page.locator("#id_title").evaluate((input) => input.removeAttribute("maxlength"))
            await page.locator("#id_title").fill("x".repeat(201))
            await follow(page, button(page, "Save"))
            expect(await page.locator("#errors-title li").allInnerTexts()).toEqual([
              "Ensure this value has at most 200 characters (it has 201)."
            ])
            expect(await page.locator("#id_title").inputValue()).toBe("x".repeat(201))
            await screenshot(page, "edit-validation-error")
            await page.locator("#id_title").fill("Letter to the bank")
            await follow(page, button(page, "Save"))
            expect(where(page)).toBe(`/notes/${id}/`)
            expect(await page.locator("#note-title").innerText()).toBe("Letter to the bank")
            expect(await page.locator("#note-body").innerText()).toBe("Dear Madam,\nthe body I typed is kept.")
          }),
        30_000
      )

      it.effect(
        "after signing out, the list, a note and the API are closed: the pages send to the login page",
        () =>
          session("sign-out", async (page) => {
            await signIn(page)
            const id = await createNote(page, "Locked away", "Only alice reads this.")
            await signOut(page)
            await open(page, "/notes/")
            expect(new URL(page.url()).pathname).toBe("/accounts/login/")
            expect(new URL(page.url()).searchParams.get("next")).toBe("/notes/")
            await open(page, `/notes/${id}/`)
            expect(new URL(page.url()).pathname).toBe("/accounts/login/")
            expect(new URL(page.url()).searchParams.get("next")).toBe(`/notes/${id}/`)
            const api = await page.request.get("/api/notes/")
            expect(api.status()).toBe(403)
            expect(await api.json()).toEqual({ error: "not authenticated" })
            expect(await page.content()).not.toContain("Only alice reads this.")
          }),
        30_000
      )

      it.effect(
        "the back button after signing out does not show the notes list",
        () =>
          session("back-button", async (page) => {
            await signIn(page)
            await createNote(page, "Back-button secret", "Not for the next person at this computer.")
            const list = await open(page, "/notes/")
            expect(list.headers()["cache-control"]).toBe(NEVER_CACHE)
            expect(list.headers()["expires"]).toBeDefined()
            expect(await listed(page)).toContain("Back-button secret")
            await signOut(page)
            // `null` when the page came back from the browser's memory instead of the server.
            const back = await page.goBack()
            await arrived(page, back?.status() ?? 200)
            expect(new URL(page.url()).pathname).toBe("/accounts/login/")
            expect(await page.locator("#notes").count()).toBe(0)
            expect(await page.content()).not.toContain("Back-button secret")
            await page.locator("#id_username").waitFor()
          }),
        30_000
      )

      it.effect(
        "a tampered CSRF token is refused with Django's 403 page, and nothing is written",
        () =>
          session("csrf-tampered", async (page) => {
            await signIn(page)
            await open(page, "/notes/new/")
            await page.locator("#id_title").fill("Forged note")
            // The note's form (the header's sign-out form has a token too).
            const token = page.locator("main form[method=post] input[name=csrfmiddlewaretoken]")
            const original = await token.inputValue()
            expect(original).toMatch(/^[A-Za-z0-9]{64}$/)
            // The same length and alphabet, one character changed.
            const forged = original.slice(0, -1) + (original.endsWith("a") ? "b" : "a")
            await token.evaluate((input, value) => input.setAttribute("value", value), forged)
            expect(await token.inputValue()).toBe(forged)
            const refused = await follow(page, button(page, "Save"))
            expect(refused.status()).toBe(403)
            expect(await page.locator("body").innerText()).toContain(CSRF_FAILED)
            expect(await page.locator("h1").first().innerText()).toMatch(/^Forbidden \(403\)/)
            await screenshot(page, "csrf-403")
            await open(page, "/notes/")
            expect(await listed(page)).not.toContain("Forged note")
            // The sign-out form too: a forged token leaves the user signed in.
            const logoutToken = page.locator("#logout-form input[name=csrfmiddlewaretoken]")
            await logoutToken.evaluate((input) => input.setAttribute("value", "x".repeat(64)))
            const logout = await follow(page, page.locator("#logout-form").getByRole("button", { name: "Sign out" }))
            expect(logout.status()).toBe(403)
            await open(page, "/notes/")
            expect(where(page)).toBe("/notes/")
            expect(await page.locator("#whoami").innerText()).toBe("alice")
          }),
        30_000
      )

      it.effect(
        "with JavaScript disabled: sign in, create a note with an attachment, find it, sign out",
        () =>
          session("no-javascript", async (page) => {
            // No axe-core here: it is a script, and scripts are off (the same pages are checked with them
            // on); the page rules are checked all the same.
            await signIn(page, "alice", "wonderland", false)
            const attachment: File = { name: "plain.txt", mimeType: "text/plain", buffer: Buffer.from("no scripts\n") }
            const id = await createNote(page, "Written without JavaScript", "Plain HTML forms.", attachment, false)
            expect(await page.locator("#attachments a.attachment").allInnerTexts()).toEqual(["plain.txt"])
            await open(page, "/notes/", false)
            await page.locator("#id_q").fill("without javascript")
            await follow(page, button(page, "Search"), false)
            expect(await listed(page)).toEqual(["Written without JavaScript"])
            await follow(page, page.locator("#notes li.note a"), false)
            expect(where(page)).toBe(`/notes/${id}/`)
            await signOut(page, false)
          }, { javaScriptEnabled: false }),
        30_000
      )

      it.effect(
        "sign-up: Django's errors beside the fields, then a new user with no notes, and alice's are 404",
        () =>
          session("sign-up", async (page) => {
            await signIn(page)
            const alices = await createNote(page, "Alice's private note", "Not bob's.")
            await signOut(page)
            await open(page, "/accounts/login/")
            await follow(page, page.locator("#signup-link"))
            expect(where(page)).toBe("/accounts/signup/")
            const username = "bob"
            await page.locator("#id_username").fill(username)
            await page.locator("#id_password1").fill("correct-horse-battery-9")
            await page.locator("#id_password2").fill("correct-horse-battery-8")
            const invalid = await follow(page, button(page, "Sign up"))
            expect(invalid.status()).toBe(200)
            expect(await page.locator("#errors-password2 li").allInnerTexts()).toEqual([PASSWORD_MISMATCH])
            expect(await besideField(page, "errors-password2", "id_password2")).toBe("beside")
            await page.locator("#id_password1").fill("correct-horse-battery-9")
            await page.locator("#id_password2").fill("correct-horse-battery-9")
            await follow(page, button(page, "Sign up"))
            expect(where(page)).toBe("/notes/")
            expect(await page.locator("#whoami").innerText()).toBe(username)
            expect(await page.locator("#no-notes").innerText()).toBe("No notes.")
            const other = await open(page, `/notes/${alices}/`)
            expect(other.status()).toBe(404)
          }),
        30_000
      )

      it.effect(
        "deleting asks for a confirmation POST, then the note is gone",
        () =>
          session("delete", async (page) => {
            await signIn(page)
            const id = await createNote(page, "To be deleted", "Soon gone.")
            await follow(page, page.locator("#delete-note"))
            expect(where(page)).toBe(`/notes/${id}/delete/`)
            // The GET only asks: the note is still there.
            expect((await page.request.get(`/notes/${id}/`)).status()).toBe(200)
            await follow(page, page.locator("#delete-form").getByRole("button", { name: "Delete" }))
            expect(where(page)).toBe("/notes/")
            expect(await listed(page)).not.toContain("To be deleted")
            expect((await open(page, `/notes/${id}/`)).status()).toBe(404)
          }),
        30_000
      )

      // Runs last (the tests of a file run in order): the pages the tests above reached.
      it.effect("axe-core checked every kind of page the tests above reached", () =>
        Effect.sync(() => {
          const kinds = new Set(audited.map((path) => path.replace(/\/\d+\//g, "/ID/")))
          expect([...kinds].sort()).toEqual(
            [
              "/accounts/login/",
              // The 403 page of the forged sign-out.
              "/accounts/logout/",
              "/accounts/signup/",
              "/notes/",
              "/notes/ID/",
              // The detail page again, with the upload's error.
              "/notes/ID/attachments/",
              "/notes/ID/delete/",
              "/notes/ID/edit/",
              "/notes/new/"
            ].sort()
          )
        }), 30_000)
    }
  )
})
