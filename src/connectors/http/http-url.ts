/**
 * @module
 * Keeps every request under the profile's `base_url`. The caller's path is text appended
 * to the base, never a URL resolved against it, and is refused when it could mean anything
 * else: a scheme (`http:`, `javascript:`), a scheme-relative `//host`, backslashes,
 * control characters, or a dot segment — literal or percent-encoded any number of times
 * (`..`, `%2e%2e`, `%2E.`, `%252e%252e`, `..%2f`), with or without path parameters
 * (`..;`, `..;x=1`, `%2e%2e;`, `..%3b`: Tomcat, Jetty and Spring drop everything from the
 * first `;` of a segment and then resolve the `..`). The built URL is then checked again:
 * same origin, no userinfo, path still under the base path. A redirect's `Location` gets
 * the same text checks, then the same checks on the URL it resolves to.
 */
import { ConnectorError } from "../errors.ts";

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function refuse(why: string): ConnectorError {
  return new ConnectorError("FORBIDDEN_PATH", `the path is not allowed: ${why}`);
}

/** The base with a path ending in `/`, so appending text stays below it. */
export function normaliseBase(baseUrl: string): URL {
  const base = new URL(baseUrl);
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new ConnectorError("BAD_REQUEST", "base_url must be http or https");
  if (base.username || base.password) throw new ConnectorError("BAD_REQUEST", "base_url must not carry credentials; use headers");
  base.search = "";
  base.hash = "";
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return base;
}

/** `orders/7?full=1` (one leading `/` allowed) → an absolute URL under `base`. */
export function targetUrl(base: URL, path: string): URL {
  if (typeof path !== "string") throw new ConnectorError("BAD_REQUEST", "path must be a string");
  if (path.startsWith("//")) throw refuse("scheme-relative URL");
  const { pathPart, query } = splitReference(path.startsWith("/") ? path.slice(1) : path);
  if (SCHEME.test(pathPart)) throw refuse("absolute URL");
  const problem = pathProblem(pathPart, query);
  if (problem) throw refuse(problem);

  const url = new URL(base.href + pathPart + query);
  if (!isUnderBase(base, url)) throw refuse("it leaves base_url");
  return url;
}

/**
 * The URL a backend's redirect points to, when it may be followed. The raw `Location`
 * must pass the caller's text checks (a `..;` or `%2e%2e%2f` survives URL resolution and
 * is undone by the server), and the resolved URL must be under the base with a remainder
 * that passes them again. Otherwise FORBIDDEN_PATH naming the redirect: it is never
 * requested, so the profile's headers never reach it.
 */
export function redirectUrl(base: URL, from: URL, location: string, status: number): URL {
  // The query is left out of the message: a redirect to a login page may carry tokens.
  const shown = location.split(/[?#]/, 1)[0]!.slice(0, 200);
  const refused = (why: string) =>
    new ConnectorError("FORBIDDEN_PATH", `the backend's ${status} redirect to "${shown}" is not followed: ${why}`, { details: { status } });
  const raw = splitReference(location);
  const rawProblem = pathProblem(raw.pathPart, raw.query);
  if (rawProblem) throw refused(rawProblem);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw refused("not a URL");
  }
  if (!isUnderBase(base, next)) throw refused("it leaves base_url");
  const resolvedProblem = pathProblem(next.pathname.slice(base.pathname.length), next.search);
  if (resolvedProblem) throw refused(resolvedProblem);
  return next;
}

/** True when `url` is `base` or below it: same scheme, host and port, no userinfo. */
export function isUnderBase(base: URL, url: URL): boolean {
  return url.origin === base.origin && !url.username && !url.password && url.pathname.startsWith(base.pathname);
}

/** A path reference split into its path and its query (`?` included); the fragment is dropped. */
function splitReference(reference: string): { pathPart: string; query: string } {
  const hashAt = reference.indexOf("#");
  const withoutHash = hashAt >= 0 ? reference.slice(0, hashAt) : reference;
  const queryAt = withoutHash.indexOf("?");
  return queryAt >= 0 ? { pathPart: withoutHash.slice(0, queryAt), query: withoutHash.slice(queryAt) } : { pathPart: withoutHash, query: "" };
}

/** Why this path and query may not be sent, or undefined when they may. */
function pathProblem(pathPart: string, query: string): string | undefined {
  if (CONTROL.test(pathPart) || CONTROL.test(query)) return "control character";
  if (pathPart.includes("\\") || query.includes("\\")) return "backslash";
  return segmentProblem(pathPart);
}

/**
 * Decodes until stable (double encoding included) and refuses `.`/`..` segments and encoded
 * separator tricks. A segment is compared up to its first `;`, because servlet containers
 * strip path parameters (`;jsessionid=…`) before they resolve dot segments.
 */
function segmentProblem(pathPart: string): string | undefined {
  let text = pathPart;
  for (let round = 0; round < 5; round++) {
    for (const segment of text.split(/[/\\]/)) {
      const name = segment.split(";", 1)[0];
      if (name === "." || name === "..") return "dot segment";
    }
    if (text.includes("\\") || text.includes("\0")) return "encoded backslash or NUL";
    let decoded: string;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      return "malformed percent-encoding";
    }
    if (decoded === text) return undefined;
    text = decoded;
  }
  return "too deeply encoded";
}
