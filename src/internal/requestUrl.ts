/**
 * Django's rules on a request's host, port, scheme and URLs (`get_host`, `get_port`, `scheme`,
 * `get_full_path`, `build_absolute_uri`, `accepts`, `is_ajax`): the implementation of those
 * functions of `HttpRequest`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import { DisallowedHost } from "../Errors.js"
import type { FullPathOptions, HttpRequest } from "../HttpRequest.js"
import type * as Settings from "../Settings.js"
import { DEBUG_ALLOWED_HOSTS, splitDomainPort, validateHost } from "./host.js"
import { fullPath, isHttpRequest, metaHeader, queryStringOf, settingsOf } from "./httpRequest.js"
import { reprStr as pyRepr } from "./python/repr.js"
import { iriToUri } from "./url.js"
import { urljoin, urlsplit } from "./urljoin.js"

// ---------------------------------------------------------------------------
// Host, port, scheme
// ---------------------------------------------------------------------------

const schemeWith = (self: HttpRequest, settings: Settings.Settings): "http" | "https" => {
  const header = settings.SECURE_PROXY_SSL_HEADER
  if (header !== null) {
    const value = self.META[header[0]]
    if (value !== undefined) return value === header[1] ? "https" : "http"
  }
  return self.urlScheme
}

const portWith = (self: HttpRequest, settings: Settings.Settings): string =>
  settings.USE_X_FORWARDED_PORT && self.META.HTTP_X_FORWARDED_PORT !== undefined
    ? self.META.HTTP_X_FORWARDED_PORT
    : self.META.SERVER_PORT ?? ""

const rawHost = (self: HttpRequest, settings: Settings.Settings): string => {
  if (settings.USE_X_FORWARDED_HOST) {
    const forwarded = metaHeader(self, "HTTP_X_FORWARDED_HOST")
    if (forwarded !== undefined) return forwarded
  }
  // The header alone (META is not built for it).
  const host = metaHeader(self, "HTTP_HOST")
  if (host !== undefined) return host
  const port = portWith(self, settings)
  const name = self.META.SERVER_NAME ?? ""
  return port !== (schemeWith(self, settings) === "https" ? "443" : "80") ? `${name}:${port}` : name
}

const hostWith = (self: HttpRequest, settings: Settings.Settings): Either.Either<string, DisallowedHost> => {
  const host = rawHost(self, settings)
  const allowed = settings.DEBUG && settings.ALLOWED_HOSTS.length === 0 ? DEBUG_ALLOWED_HOSTS : settings.ALLOWED_HOSTS
  const [domain] = splitDomainPort(host)
  if (domain !== "" && validateHost(domain, allowed)) return Either.right(host)
  let message = `Invalid HTTP_HOST header: ${pyRepr(host)}.`
  message += domain !== ""
    ? ` You may need to add ${pyRepr(domain)} to ALLOWED_HOSTS.`
    : " The domain name provided is not valid according to RFC 1034/1035."
  return Either.left(new DisallowedHost({ message }))
}

export const getHost = (self: HttpRequest): Effect.Effect<string, DisallowedHost> =>
  Effect.flatMap(settingsOf(self), (settings) => hostWith(self, settings))

export const getHostWith: (self: HttpRequest, settings: Settings.Settings) => Either.Either<string, DisallowedHost> =
  hostWith

export const getPortWith: (self: HttpRequest, settings: Settings.Settings) => string = portWith

export const getPort = (self: HttpRequest): Effect.Effect<string> =>
  Effect.map(settingsOf(self), (settings) => portWith(self, settings))

export const scheme = (self: HttpRequest): Effect.Effect<"http" | "https"> =>
  Effect.map(settingsOf(self), (settings) => schemeWith(self, settings))

export const isSecure = (self: HttpRequest): Effect.Effect<boolean> => Effect.map(scheme(self), (s) => s === "https")

// ---------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------

export const getFullPath: {
  (options?: FullPathOptions): (self: HttpRequest) => string
  (self: HttpRequest, options?: FullPathOptions): string
} = dual(
  (args) => isHttpRequest(args[0]),
  (self: HttpRequest, options?: FullPathOptions): string =>
    fullPath(self.path, queryStringOf(self), options?.forceAppendSlash ?? false)
)

export const getFullPathInfo: {
  (options?: FullPathOptions): (self: HttpRequest) => string
  (self: HttpRequest, options?: FullPathOptions): string
} = dual(
  (args) => isHttpRequest(args[0]),
  (self: HttpRequest, options?: FullPathOptions): string =>
    fullPath(self.pathInfo, queryStringOf(self), options?.forceAppendSlash ?? false)
)

export const buildAbsoluteUri: {
  (location?: string): (self: HttpRequest) => Effect.Effect<string, DisallowedHost>
  (self: HttpRequest, location?: string): Effect.Effect<string, DisallowedHost>
} = dual(
  (args) => isHttpRequest(args[0]),
  (self: HttpRequest, location?: string): Effect.Effect<string, DisallowedHost> =>
    Effect.flatMap(settingsOf(self), (settings) => {
      let loc = location === undefined ? "//" + getFullPath(self) : location
      const bits = urlsplit(loc)
      if (bits.scheme !== "" && bits.netloc !== "") return Either.right(iriToUri(loc))
      return Either.map(hostWith(self, settings), (host) => {
        const schemeHost = `${schemeWith(self, settings)}://${host}`
        if (
          bits.path.startsWith("/") && bits.scheme === "" && bits.netloc === "" && !bits.path.includes("/./") &&
          !bits.path.includes("/../")
        ) {
          if (loc.startsWith("//")) loc = loc.slice(2)
          loc = schemeHost + loc
        } else loc = urljoin(schemeHost + self.path, loc)
        return iriToUri(loc)
      })
    })
)

export const isAjax = (self: HttpRequest): boolean => self.META.HTTP_X_REQUESTED_WITH === "XMLHttpRequest"

const mediaType = (raw: string): readonly [string, string] => {
  const full = raw.split(";")[0]!.trim().toLowerCase()
  const slash = full.indexOf("/")
  return slash === -1 ? [full, ""] : [full.slice(0, slash), full.slice(slash + 1)]
}

export const accepts: {
  (media: string): (self: HttpRequest) => boolean
  (self: HttpRequest, media: string): boolean
} = dual(2, (self: HttpRequest, media: string): boolean => {
  if (media === "") return false
  const [main, sub] = mediaType(media)
  const accept = self.META.HTTP_ACCEPT ?? "*/*"
  return accept.split(",").some((token) => {
    if (token.trim() === "") return false
    const [m, s] = mediaType(token)
    return (m === "*" && s === "*") || (m === main && (s === "*" || s === sub))
  })
})
