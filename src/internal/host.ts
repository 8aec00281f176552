/**
 * Host validation as Django 3.2 does it (django/http/request.py).
 *
 * @internal
 */

// Python's `$` also matches before one trailing newline, and `\d` matches any Unicode digit.
const HOST_RE = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(:\p{Nd}+)?\n?$/u

/** `split_domain_port`: `["", ""]` when the host is malformed. */
export const splitDomainPort = (host: string): readonly [domain: string, port: string] => {
  const lower = host.toLowerCase()
  if (!HOST_RE.test(lower)) return ["", ""]
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
export const validateHost = (domain: string, allowed: ReadonlyArray<string>): boolean =>
  allowed.some((pattern) => pattern === "*" || isSameDomain(domain, pattern))

/** What DEBUG allows when `ALLOWED_HOSTS` is empty. */
export const DEBUG_ALLOWED_HOSTS: ReadonlyArray<string> = [".localhost", "127.0.0.1", "[::1]"]
