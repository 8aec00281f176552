/**
 * Python 3.11's `urllib.parse.urlsplit`, `urlparse` and `urljoin`, for the
 * cases `build_absolute_uri` reaches: Django's absolute URIs must match byte
 * for byte, and the WHATWG `URL` resolves differently (it normalises, encodes,
 * and rejects what Python keeps).
 *
 * Python raises `ValueError` for an unbalanced `[`/`]` in the netloc; here the
 * netloc is kept as it is (callers never crash).
 *
 * @internal
 */

export interface SplitResult {
  readonly scheme: string
  readonly netloc: string
  readonly path: string
  readonly query: string
  readonly fragment: string
}

const SCHEME_CHARS = /^[A-Za-z0-9+\-.]+$/
// Python strips leading C0 controls and space, and removes tab, CR and LF everywhere.
const LEADING_C0 = /^[\x00-\x20]+/
const UNSAFE = /[\t\r\n]/g

const usesRelative = new Set([
  "",
  "ftp",
  "http",
  "gopher",
  "nntp",
  "imap",
  "wais",
  "file",
  "https",
  "shttp",
  "mms",
  "prospero",
  "rtsp",
  "rtspu",
  "sftp",
  "svn",
  "svn+ssh",
  "ws",
  "wss"
])
const usesNetloc = new Set([
  "",
  "ftp",
  "http",
  "gopher",
  "nntp",
  "telnet",
  "imap",
  "wais",
  "file",
  "mms",
  "https",
  "shttp",
  "snews",
  "prospero",
  "rtsp",
  "rtspu",
  "rsync",
  "svn",
  "svn+ssh",
  "sftp",
  "nfs",
  "git",
  "git+ssh",
  "ws",
  "wss",
  "itms-services"
])
const usesParams = new Set([
  "",
  "ftp",
  "hdl",
  "prospero",
  "http",
  "imap",
  "https",
  "shttp",
  "rtsp",
  "rtspu",
  "sip",
  "sips",
  "mms",
  "sftp",
  "tel"
])

const splitNetloc = (url: string, start: number): readonly [string, string] => {
  let delim = url.length
  for (const c of "/?#") {
    const w = url.indexOf(c, start)
    if (w >= 0 && w < delim) delim = w
  }
  return [url.slice(start, delim), url.slice(delim)]
}

const isAsciiAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)

/** `urlsplit(url, scheme)`. */
export const urlsplit = (input: string, defaultScheme = ""): SplitResult => {
  let url = input.replace(LEADING_C0, "").replace(UNSAFE, "")
  let scheme = defaultScheme
  let netloc = ""
  let query = ""
  let fragment = ""
  const i = url.indexOf(":")
  if (i > 0 && isAsciiAlpha(url.charCodeAt(0)) && SCHEME_CHARS.test(url.slice(0, i))) {
    scheme = url.slice(0, i).toLowerCase()
    url = url.slice(i + 1)
  }
  if (url.startsWith("//")) [netloc, url] = splitNetloc(url, 2)
  const hash = url.indexOf("#")
  if (hash !== -1) {
    fragment = url.slice(hash + 1)
    url = url.slice(0, hash)
  }
  const q = url.indexOf("?")
  if (q !== -1) {
    query = url.slice(q + 1)
    url = url.slice(0, q)
  }
  return { scheme, netloc, path: url, query, fragment }
}

interface ParseResult extends SplitResult {
  readonly params: string
}

const splitParams = (url: string): readonly [string, string] => {
  let i: number
  if (url.includes("/")) {
    i = url.indexOf(";", url.lastIndexOf("/"))
    if (i < 0) return [url, ""]
  } else i = url.indexOf(";")
  return [url.slice(0, i), url.slice(i + 1)]
}

const urlparse = (url: string, defaultScheme = ""): ParseResult => {
  const s = urlsplit(url, defaultScheme)
  let path = s.path
  let params = ""
  if (usesParams.has(s.scheme) && path.includes(";")) [path, params] = splitParams(path)
  return { ...s, path, params }
}

/** `urlunsplit`. */
export const urlunsplit = (p: SplitResult): string => {
  let url = p.path
  if (p.netloc !== "" || (p.scheme !== "" && usesNetloc.has(p.scheme) && !url.startsWith("//"))) {
    if (url !== "" && url[0] !== "/") url = "/" + url
    url = "//" + p.netloc + url
  }
  if (p.scheme !== "") url = p.scheme + ":" + url
  if (p.query !== "") url += "?" + p.query
  if (p.fragment !== "") url += "#" + p.fragment
  return url
}

const urlunparse = (p: ParseResult): string =>
  urlunsplit({ ...p, path: p.params !== "" ? `${p.path};${p.params}` : p.path })

/** `urljoin(base, url)`. */
export const urljoin = (base: string, url: string): string => {
  if (base === "") return url
  if (url === "") return base
  const b = urlparse(base)
  const u = urlparse(url, b.scheme)
  const scheme = u.scheme
  if (scheme !== b.scheme || !usesRelative.has(scheme)) return url
  let netloc = u.netloc
  if (usesNetloc.has(scheme)) {
    if (netloc !== "") return urlunparse(u)
    netloc = b.netloc
  }
  if (u.path === "" && u.params === "") {
    return urlunparse({
      scheme,
      netloc,
      path: b.path,
      params: b.params,
      query: u.query !== "" ? u.query : b.query,
      fragment: u.fragment
    })
  }
  const baseParts = b.path.split("/")
  if (baseParts[baseParts.length - 1] !== "") baseParts.pop()
  let segments: Array<string>
  if (u.path.startsWith("/")) segments = u.path.split("/")
  else {
    const all = [...baseParts, ...u.path.split("/")]
    segments = all.length <= 2 ? all : [all[0]!, ...all.slice(1, -1).filter((s) => s !== ""), all[all.length - 1]!]
  }
  const resolved: Array<string> = []
  for (const seg of segments) {
    if (seg === "..") resolved.pop()
    else if (seg !== ".") resolved.push(seg)
  }
  const last = segments[segments.length - 1]
  if (last === "." || last === "..") resolved.push("")
  return urlunparse({
    scheme,
    netloc,
    path: resolved.join("/") || "/",
    params: u.params,
    query: u.query,
    fragment: u.fragment
  })
}
