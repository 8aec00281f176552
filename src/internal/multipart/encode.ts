/**
 * A `multipart/form-data` body as Django's test client writes it
 * (`django.test.client.encode_multipart`).
 *
 * @internal
 */

/** Django's test client boundary. */
export const BOUNDARY = "BoUnDaRyStRiNg"

/** A file to encode. */
export interface EncodeFile {
  readonly name: string
  readonly content: Uint8Array
  readonly contentType?: string | undefined
}

// As browsers do (WHATWG): quotes and line breaks in names are percent-encoded.
const quoteName = (s: string): string => s.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")

/** A `multipart/form-data` body for fields and files, in order. */
export const encode = (
  fields: ReadonlyArray<readonly [string, string]>,
  files: ReadonlyArray<readonly [string, EncodeFile]> = [],
  boundary: string = BOUNDARY
): Uint8Array => {
  const chunks: Array<Uint8Array> = []
  const text = (s: string) => chunks.push(Buffer.from(s, "utf8"))
  for (const [name, value] of fields) {
    text(`--${boundary}\r\nContent-Disposition: form-data; name="${quoteName(name)}"\r\n\r\n${value}\r\n`)
  }
  for (const [name, file] of files) {
    text(
      `--${boundary}\r\nContent-Disposition: form-data; name="${quoteName(name)}"; filename="${
        quoteName(file.name)
      }"\r\nContent-Type: ${file.contentType ?? "application/octet-stream"}\r\n\r\n`
    )
    chunks.push(file.content)
    text("\r\n")
  }
  text(`--${boundary}--\r\n`)
  return Buffer.concat(chunks)
}
