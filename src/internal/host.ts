/**
 * Host validation as Django 3.2 does it (django/http/request.py).
 *
 * @internal
 */

// Python's `$` also matches before one trailing newline, and `\d` matches any Unicode digit.
export const HOST_RE = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(:\p{Nd}+)?\n?$/u

/**
 * The common host, `name` or `name:port` in ASCII: every string it matches `HOST_RE` matches too
 * (a subset of its first branch, ASCII digits being `\p{Nd}`), and V8 runs it without the
 * Unicode property test (a property test pins the agreement).
 */
export const ASCII_HOST_RE = /^[a-z0-9.-]+(?::[0-9]+)?$/

/** `split_domain_port`: `["", ""]` when the host is malformed. */
export const splitDomainPort = (host: string): readonly [domain: string, port: string] => {
  const lower = host.toLowerCase()
  if (!ASCII_HOST_RE.test(lower) && !HOST_RE.test(lower)) return ["", ""]
  if (lower.endsWith("]")) return [lower, ""]
  const i = lower.lastIndexOf(":")
  let domain = i === -1 ? lower : lower.slice(0, i)
  const port = i === -1 ? "" : lower.slice(i + 1)
  if (domain.endsWith(".")) domain = domain.slice(0, -1)
  return [domain, port]
}

/** `is_same_domain`: `.example.com` matches the domain and its subdomains; anything else is exact. */
export const isSameDomain = (host: string, pattern: string): boolean => {
  if (pattern === "") return false
  const p = pattern.toLowerCase()
  return (p[0] === "." && (host.endsWith(p) || host === p.slice(1))) || p === host
}

/** `validate_host`: `*` matches everything. */
export const validateHost = (domain: string, allowed: ReadonlyArray<string>): boolean => {
  for (let i = 0; i < allowed.length; i++) {
    const pattern = allowed[i]!
    if (pattern === "*" || isSameDomain(domain, pattern)) return true
  }
  return false
}

/** What DEBUG allows when `ALLOWED_HOSTS` is empty. */
export const DEBUG_ALLOWED_HOSTS: ReadonlyArray<string> = [".localhost", "127.0.0.1", "[::1]"]
