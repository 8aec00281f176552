/**
 * The notes app's data: its two tables beside Django's `auth_user` and `django_session`, created
 * when missing, and the queries its views run, over `@effect/sql` (SQLite or PostgreSQL). Times
 * are stored as Django stores them with `USE_TZ = True`: naive UTC text on SQLite, `timestamp with
 * time zone` on PostgreSQL.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { Cause, Context, Effect, Layer, Option, type ParseResult, Schema } from "effect"

const DDL = {
  sqlite: [
    `CREATE TABLE IF NOT EXISTS "notes_note" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "title" varchar(200) NOT NULL, "body" text NOT NULL, "created" datetime NOT NULL, "updated" datetime NOT NULL, "owner_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)`,
    `CREATE INDEX IF NOT EXISTS "notes_note_owner_id_idx" ON "notes_note" ("owner_id")`,
    `CREATE TABLE IF NOT EXISTS "notes_attachment" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "file" varchar(100) NOT NULL, "name" varchar(255) NOT NULL, "size" integer NOT NULL, "uploaded" datetime NOT NULL, "note_id" integer NOT NULL REFERENCES "notes_note" ("id") DEFERRABLE INITIALLY DEFERRED)`,
    `CREATE INDEX IF NOT EXISTS "notes_attachment_note_id_idx" ON "notes_attachment" ("note_id")`
  ],
  pg: [
    `CREATE TABLE IF NOT EXISTS "notes_note" ("id" serial NOT NULL PRIMARY KEY, "title" varchar(200) NOT NULL, "body" text NOT NULL, "created" timestamp with time zone NOT NULL, "updated" timestamp with time zone NOT NULL, "owner_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)`,
    `CREATE INDEX IF NOT EXISTS "notes_note_owner_id_idx" ON "notes_note" ("owner_id")`,
    `CREATE TABLE IF NOT EXISTS "notes_attachment" ("id" serial NOT NULL PRIMARY KEY, "file" varchar(100) NOT NULL, "name" varchar(255) NOT NULL, "size" integer NOT NULL, "uploaded" timestamp with time zone NOT NULL, "note_id" integer NOT NULL REFERENCES "notes_note" ("id") DEFERRABLE INITIALLY DEFERRED)`,
    `CREATE INDEX IF NOT EXISTS "notes_attachment_note_id_idx" ON "notes_attachment" ("note_id")`
  ]
} as const

/** Creates the app's tables when missing (after `Auth.migrate`, whose table they reference). */
export const migrate: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const statements = sql.onDialectOrElse({ pg: () => DDL.pg, orElse: () => DDL.sqlite })
  yield* sql.withTransaction(Effect.forEach(statements, (statement) => sql.unsafe(statement), { discard: true }))
})

/** A datetime column: a `Date` from PostgreSQL, Django's naive UTC text from SQLite. */
const Timestamp = Schema.Union(
  Schema.DateFromSelf,
  Schema.transform(Schema.String, Schema.DateFromSelf, {
    strict: true,
    decode: (text) => new Date(`${text.replace(" ", "T")}Z`),
    encode: (date) => date.toISOString()
  })
)

/** A note as the list, the detail page and the JSON endpoint show it. */
export const Note = Schema.Struct({
  id: Schema.Number,
  title: Schema.String,
  body: Schema.String,
  created: Timestamp,
  updated: Timestamp,
  attachments: Schema.Number
})
export type Note = typeof Note.Type

/** An attachment: the original file name, and where the file is under the media root. */
export const Attachment = Schema.Struct({
  id: Schema.Number,
  note_id: Schema.Number,
  name: Schema.String,
  file: Schema.String,
  size: Schema.Number
})
export type Attachment = typeof Attachment.Type

const Id = Schema.Struct({ id: Schema.Number })

/** What the views may fail with when they reach the database. */
export type DbError = SqlError | ParseResult.ParseError

/** The queries of the notes app, each limited to the notes of `owner`. */
export interface Notes {
  readonly list: (owner: number, q: string) => Effect.Effect<ReadonlyArray<Note>, DbError>
  readonly get: (owner: number, id: number) => Effect.Effect<Option.Option<Note>, DbError>
  readonly create: (owner: number, fields: NoteFields) => Effect.Effect<number, DbError>
  readonly update: (owner: number, id: number, fields: NoteFields) => Effect.Effect<void, DbError>
  /** Deletes the note and its attachment rows; gives the attachments' files, for the caller to remove. */
  readonly remove: (owner: number, id: number) => Effect.Effect<ReadonlyArray<string>, DbError>
  readonly attachments: (note: number) => Effect.Effect<ReadonlyArray<Attachment>, DbError>
  readonly attachment: (owner: number, note: number, id: number) => Effect.Effect<Option.Option<Attachment>, DbError>
  readonly attach: (note: number, file: NewAttachment) => Effect.Effect<number, DbError>
}

export interface NoteFields {
  readonly title: string
  readonly body: string
}

export interface NewAttachment {
  readonly name: string
  readonly file: string
  readonly size: number
}

export const Notes = Context.GenericTag<Notes>("examples/notes/Notes")

/** Django's `icontains` pattern: `%q%` with `%`, `_` and `\` escaped, lower-cased. */
const containsPattern = (q: string): string => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** `INSERT ... RETURNING` gives its row: no row would be a bug, not an outcome. */
const returned = <A, E, R>(insert: Effect.Effect<A, E | Cause.NoSuchElementException, R>) =>
  Effect.catchIf(insert, Cause.isNoSuchElementException, Effect.die)

const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const now = (): string | Date => {
    const date = new Date()
    return sql.onDialectOrElse({
      pg: () => date,
      orElse: () => date.toISOString().replace("T", " ").replace("Z", "000")
    })
  }
  const select = sql`SELECT n.id, n.title, n.body, n.created, n.updated,
    (SELECT CAST(COUNT(*) AS integer) FROM notes_attachment a WHERE a.note_id = n.id) AS attachments
    FROM notes_note n`

  const list = SqlSchema.findAll({
    Request: Schema.Struct({ owner: Schema.Number, q: Schema.String }),
    Result: Note,
    execute: ({ owner, q }) =>
      sql`${select} WHERE n.owner_id = ${owner} ${
        q === ""
          ? sql``
          : sql`AND (LOWER(n.title) LIKE ${containsPattern(q)} ESCAPE '\\' OR LOWER(n.body) LIKE ${
            containsPattern(q)
          } ESCAPE '\\')`
      } ORDER BY n.created DESC, n.id DESC`
  })
  const get = SqlSchema.findOne({
    Request: Schema.Struct({ owner: Schema.Number, id: Schema.Number }),
    Result: Note,
    execute: ({ id, owner }) => sql`${select} WHERE n.owner_id = ${owner} AND n.id = ${id}`
  })
  const insert = SqlSchema.single({
    Request: Schema.Struct({ owner: Schema.Number, title: Schema.String, body: Schema.String }),
    Result: Id,
    execute: ({ body, owner, title }) => {
      const at = now()
      return sql`INSERT INTO notes_note (title, body, created, updated, owner_id)
        VALUES (${title}, ${body}, ${at}, ${at}, ${owner}) RETURNING id`
    }
  })
  const attachmentsOf = SqlSchema.findAll({
    Request: Schema.Number,
    Result: Attachment,
    execute: (note) =>
      sql`SELECT id, note_id, name, file, size FROM notes_attachment WHERE note_id = ${note} ORDER BY id`
  })
  const attachmentOf = SqlSchema.findOne({
    Request: Schema.Struct({ owner: Schema.Number, note: Schema.Number, id: Schema.Number }),
    Result: Attachment,
    execute: ({ id, note, owner }) =>
      sql`SELECT a.id, a.note_id, a.name, a.file, a.size FROM notes_attachment a
        JOIN notes_note n ON n.id = a.note_id
        WHERE a.id = ${id} AND a.note_id = ${note} AND n.owner_id = ${owner}`
  })
  const insertAttachment = SqlSchema.single({
    Request: Schema.Struct({ note: Schema.Number, name: Schema.String, file: Schema.String, size: Schema.Number }),
    Result: Id,
    execute: ({ file, name, note, size }) =>
      sql`INSERT INTO notes_attachment (file, name, size, uploaded, note_id)
        VALUES (${file}, ${name}, ${size}, ${now()}, ${note}) RETURNING id`
  })

  return Notes.of({
    list: (owner, q) => list({ owner, q }),
    get: (owner, id) => get({ owner, id }),
    create: (owner, fields) => Effect.map(insert({ owner, ...fields }).pipe(returned), (row) => row.id),
    update: (owner, id, { body, title }) =>
      Effect.asVoid(
        sql`UPDATE notes_note SET title = ${title}, body = ${body}, updated = ${now()}
          WHERE id = ${id} AND owner_id = ${owner}`
      ),
    remove: (owner, id) =>
      sql.withTransaction(Effect.gen(function*() {
        if (Option.isNone(yield* get({ owner, id }))) return []
        const files = yield* attachmentsOf(id)
        yield* sql`DELETE FROM notes_attachment WHERE note_id = ${id}`
        yield* sql`DELETE FROM notes_note WHERE id = ${id} AND owner_id = ${owner}`
        return files.map((row) => row.file)
      })),
    attachments: attachmentsOf,
    attachment: (owner, note, id) => attachmentOf({ owner, note, id }),
    attach: (note, file) => Effect.map(insertAttachment({ note, ...file }).pipe(returned), (row) => row.id)
  })
})

/** The queries over the `SqlClient` in the context. */
export const layer: Layer.Layer<Notes, never, SqlClient.SqlClient> = Layer.effect(Notes, make)
