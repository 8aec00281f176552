/**
 * The client side of `bench/stack`, the same for every stack: sign in as a person does (the
 * login form's CSRF token and cookies, then its POST), read the list page's form token, and the
 * three requests the bench loads, each with the status it must answer, and the autocannon call
 * that loads one.
 */
import autocannon from "autocannon"
import { CSRF_FIELD, PASSWORD, USERNAME } from "./common.js"

/** The cookies a client holds, by name. */
export type Jar = Map<string, string>

const keep = (jar: Jar, response: Response): void => {
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(";")[0]!
    const eq = pair.indexOf("=")
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim())
  }
}

const cookieHeader = (jar: Jar): string => [...jar].map(([k, v]) => `${k}=${v}`).join("; ")

const tokenIn = (html: string): string => {
  const m = new RegExp(`name="${CSRF_FIELD}" value="([^"]+)"`).exec(html)
  if (m === null) throw new Error(`no CSRF field in the page: ${html.slice(0, 300)}`)
  return m[1]!
}

const FORM = "application/x-www-form-urlencoded"

/** A request of the bench: what autocannon sends, and the status every answer must have. */
export interface BenchRequest {
  readonly name: "list" | "post" | "json"
  readonly method: "GET" | "POST"
  readonly path: string
  readonly headers: Record<string, string>
  readonly body?: string
  readonly status: number
}

export interface SignedIn {
  readonly cookie: string
  readonly token: string
  readonly requests: ReadonlyArray<BenchRequest>
}

/** Signs in to the stack at `base` (`http://127.0.0.1:PORT`) and returns the three requests. */
export const signIn = async (base: string): Promise<SignedIn> => {
  const jar: Jar = new Map()
  const form = await fetch(`${base}/login/`, { redirect: "manual" })
  keep(jar, form)
  if (form.status !== 200) throw new Error(`GET /login/: ${form.status}`)
  const loginToken = tokenIn(await form.text())
  const login = await fetch(`${base}/login/`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: cookieHeader(jar), "content-type": FORM },
    body: new URLSearchParams({ [CSRF_FIELD]: loginToken, username: USERNAME, password: PASSWORD }).toString()
  })
  keep(jar, login)
  await login.arrayBuffer()
  if (login.status !== 302 || !login.headers.get("location")?.endsWith("/notes/")) {
    throw new Error(`POST /login/: ${login.status} ${login.headers.get("location")}`)
  }
  const list = await fetch(`${base}/notes/`, { redirect: "manual", headers: { cookie: cookieHeader(jar) } })
  keep(jar, list)
  if (list.status !== 200) throw new Error(`GET /notes/ after signing in: ${list.status}`)
  const token = tokenIn(await list.text())
  const cookie = cookieHeader(jar)
  const body = new URLSearchParams({
    [CSRF_FIELD]: token,
    title: "A note <from> the bench",
    body: "Written by the bench & its \"load\"."
  }).toString()
  return {
    cookie,
    token,
    requests: [
      { name: "list", method: "GET", path: "/notes/", headers: { cookie }, status: 200 },
      { name: "json", method: "GET", path: "/api/notes/", headers: { cookie }, status: 200 },
      {
        name: "post",
        method: "POST",
        path: "/notes/new/",
        headers: { cookie, "content-type": FORM },
        body,
        status: 302
      }
    ]
  }
}

/** What one answer of each request must hold, beyond its status. */
export const checkAnswer = async (request: BenchRequest, response: Response): Promise<void> => {
  const text = await response.text()
  if (response.status !== request.status) {
    throw new Error(`${request.method} ${request.path}: ${response.status}, expected ${request.status}: ${text}`)
  }
  if (request.name === "list") {
    const items = text.match(/<li>/g)?.length ?? 0
    if (items !== 20) throw new Error(`the list page shows ${items} notes, not 20`)
    if (!text.includes("Notes of alice") || !/Note &lt;\d+&gt; &amp; (&quot;|&#34;)more(&quot;|&#34;)/.test(text)) {
      throw new Error(`the list page is not the user's escaped notes: ${text.slice(0, 600)}`)
    }
  }
  if (request.name === "json") {
    const notes = (JSON.parse(text) as { notes: ReadonlyArray<{ title: string }> }).notes
    if (notes.length !== 20) throw new Error(`the JSON lists ${notes.length} notes, not 20`)
  }
  if (request.name === "post" && !response.headers.get("location")?.endsWith("/notes/")) {
    throw new Error(`the POST redirected to ${response.headers.get("location")}`)
  }
}

/** Sends each request once and checks its answer (a smoke test of a stack). */
export const checkOnce = async (base: string, signedIn: SignedIn): Promise<void> => {
  for (const request of signedIn.requests) {
    const response = await fetch(`${base}${request.path}`, {
      method: request.method,
      redirect: "manual",
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body })
    })
    await checkAnswer(request, response)
  }
}

/** autocannon's result of loading one request, with its request errors by message. */
export interface Loaded extends autocannon.Result {
  readonly errorsByMessage: ReadonlyMap<string, number>
}

/** Loads `request` on the stack at `base` with autocannon: `connections` connections for `seconds` s. */
export const load = async (
  base: string,
  request: BenchRequest,
  options: { readonly connections: number; readonly seconds: number }
): Promise<Loaded> => {
  const errors = new Map<string, number>()
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: `${base}${request.path}`,
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      connections: options.connections,
      duration: options.seconds
    }, (error, result) => error ? reject(error) : resolve(result))
    instance.on("reqError", (error: Error) => errors.set(error.message, (errors.get(error.message) ?? 0) + 1))
  })
  return { ...result, errorsByMessage: errors }
}
