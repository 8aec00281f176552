/**
 * What every stack of `bench/stack` shares: the SQLite layout (Django's `django_session`,
 * `auth_user` and `notes_note`, with Django's own DDL), the seed (`alice` and 20 notes), the
 * password scheme (Django's `pbkdf2_sha256`), the three requests, and for the Node stacks a
 * cluster of workers and the `django_session` table as a session store.
 */
import Database from "better-sqlite3"
import cluster from "node:cluster"
import { pbkdf2, timingSafeEqual } from "node:crypto"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { Auth, Sessions } from "../../src/index.js"

export const here = Path.dirname(fileURLToPath(import.meta.url))
/** The Nunjucks templates of the Node stacks (`notes.html`, `login.html`). */
export const TEMPLATES = Path.join(here, "templates")

export const SECRET_KEY = "bench-stack-secret-key-not-for-production-0123456789"
export const USERNAME = "alice"
export const PASSWORD = "wonderland"
/** Django's `make_password("wonderland")` with a fixed salt (`pbkdf2_sha256`, 260,000 iterations: Django 3.2's). */
export const PASSWORD_HASH = "pbkdf2_sha256$260000$playgroundsalt00000000$CL7VMH77KiCOGzTbt416/u4GuQsXDVDgaYlHtZ1UR/c="
/** The name of the CSRF form field on every stack (Django's). */
export const CSRF_FIELD = "csrfmiddlewaretoken"
/** Two weeks, Django's `SESSION_COOKIE_AGE`. */
export const SESSION_AGE_MS = 1_209_600_000

/** `notes_note` as Django 3.2 creates it (`bench/stack/django`: `manage.py sqlmigrate notes 0001`). */
export const NOTES_DDL = [
  `CREATE TABLE "notes_note" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "title" varchar(200) NOT NULL, "body" text NOT NULL, "created" datetime NOT NULL, "user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)`,
  `CREATE INDEX "notes_note_user_id_be6c80b4" ON "notes_note" ("user_id")`
]

/** A `datetime` column as Django writes it on SQLite (naive UTC, microseconds). */
export const djangoDatetime = (date: Date): string => date.toISOString().replace("T", " ").replace("Z", "000")

/** Creates `filename` with the three tables and seeds `alice` with 20 notes (text to escape in each). */
export const seed = (filename: string): void => {
  const db = new Database(filename)
  try {
    db.pragma("journal_mode = WAL")
    for (const statement of [...Sessions.DDL.sqlite, ...Auth.DDL.sqlite, ...NOTES_DDL]) db.exec(statement)
    const joined = djangoDatetime(new Date(Date.UTC(2026, 0, 1)))
    const user = db.prepare(
      `INSERT INTO auth_user (password, last_login, is_superuser, username, last_name, email, is_staff, is_active, date_joined, first_name)
       VALUES (?, NULL, 0, ?, 'Liddell', 'alice@example.com', 0, 1, ?, 'Alice')`
    ).run(PASSWORD_HASH, USERNAME, joined)
    const insert = db.prepare(`INSERT INTO notes_note (title, body, created, user_id) VALUES (?, ?, ?, ?)`)
    for (let i = 1; i <= 20; i++) {
      insert.run(
        `Note <${i}> & "more"`,
        `Body of note ${i}: "quoted" text, 'single' quotes and <tags> & ampersands to escape.`,
        djangoDatetime(new Date(Date.UTC(2026, 0, 1) + i * 86_400_000)),
        user.lastInsertRowid
      )
    }
  } finally {
    db.close()
  }
}

/** The number of notes in `filename` (the bench checks that the POSTs wrote theirs). */
export const countNotes = (filename: string): number => {
  const db = new Database(filename, { readonly: true })
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM notes_note`).get() as { n: number }).n
  } finally {
    db.close()
  }
}

/** Django's `check_password` for a `pbkdf2_sha256$iterations$salt$hash` value. */
export const checkPassword = (password: string, encoded: string): Promise<boolean> => {
  const [algorithm, iterations, salt, hash] = encoded.split("$")
  if (algorithm !== "pbkdf2_sha256" || iterations === undefined || salt === undefined || hash === undefined) {
    return Promise.resolve(false)
  }
  const expected = Buffer.from(hash, "base64")
  return new Promise((resolve, reject) =>
    pbkdf2(password, salt, Number(iterations), expected.length, "sha256", (error, derived) => {
      if (error) reject(error)
      else resolve(derived.length === expected.length && timingSafeEqual(derived, expected))
    })
  )
}

/** The columns the three requests read. */
export interface UserRow {
  readonly id: number
  readonly username: string
  readonly password: string
  readonly is_active: number
}
export interface NoteRow {
  readonly id: number
  readonly title: string
  readonly body: string
  readonly created: string
}

/** The queries of the hand-written stacks (Express, Fastify), as prepared statements. */
export const openQueries = (filename: string) => {
  const db = new Database(filename)
  db.pragma("journal_mode = WAL")
  const userById = db.prepare<[number], UserRow>(
    `SELECT id, username, password, is_active FROM auth_user WHERE id = ?`
  )
  const userByName = db.prepare<[string], UserRow>(
    `SELECT id, username, password, is_active FROM auth_user WHERE username = ?`
  )
  const latest = db.prepare<[number], NoteRow>(
    `SELECT id, title, body, created FROM notes_note WHERE user_id = ? ORDER BY id DESC LIMIT 20`
  )
  const insertNote = db.prepare<[string, string, string, number]>(
    `INSERT INTO notes_note (title, body, created, user_id) VALUES (?, ?, ?, ?)`
  )
  const getSession = db.prepare<[string, string], { session_data: string }>(
    `SELECT session_data FROM django_session WHERE session_key = ? AND expire_date > ?`
  )
  const setSession = db.prepare<[string, string, string]>(
    `INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, ?, ?)
     ON CONFLICT (session_key) DO UPDATE SET session_data = excluded.session_data, expire_date = excluded.expire_date`
  )
  const deleteSession = db.prepare<[string]>(`DELETE FROM django_session WHERE session_key = ?`)
  return {
    userById: (id: number) => userById.get(id),
    userByName: (name: string) => userByName.get(name),
    latest: (userId: number) => latest.all(userId),
    insertNote: (title: string, body: string, userId: number) =>
      insertNote.run(title, body, djangoDatetime(new Date()), userId),
    /** The JSON of a live session, or `undefined`. */
    getSession: (key: string): string | undefined => getSession.get(key, djangoDatetime(new Date()))?.session_data,
    setSession: (key: string, json: string, expires: Date) => setSession.run(key, json, djangoDatetime(expires)),
    deleteSession: (key: string) => deleteSession.run(key)
  }
}
export type Queries = ReturnType<typeof openQueries>

/**
 * Runs `serve` in `STACK_WORKERS` (default 2) processes with `node:cluster`: the primary forks
 * them and does nothing else; each worker calls `serve`.
 */
export const inCluster = (serve: () => void): void => {
  const workers = Number(process.env["STACK_WORKERS"] ?? 2)
  if (workers > 1 && cluster.isPrimary) {
    for (let i = 0; i < workers; i++) cluster.fork()
    cluster.on("exit", (worker, code) => console.error(`worker ${worker.process.pid} exited with ${code}`))
  } else {
    // A single process stops on SIGINT with exit code 0, so that `--cpu-prof` writes its profile.
    if (workers <= 1) process.once("SIGINT", () => process.exit(0))
    serve()
  }
}

/** What each worker prints once it accepts connections (`bench/stack/run.ts` waits for one per worker). */
export const announce = (port: number): void => console.log(`listening on http://127.0.0.1:${port}`)

/** The port (`PORT`) and database (`STACK_DB`) a stack serves. */
export const stackEnv = (): { readonly port: number; readonly db: string } => {
  const db = process.env["STACK_DB"]
  if (db === undefined) throw new Error("STACK_DB is not set")
  return { port: Number(process.env["PORT"] ?? 8000), db }
}

/** A note as the JSON endpoint lists it. */
export const noteJson = (n: NoteRow) => ({ id: n.id, title: n.title, body: n.body, created: n.created })
