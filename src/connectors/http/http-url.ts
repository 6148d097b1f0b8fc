/**
 * @module
 * Keeps every request under the profile's `base_url`. The caller's path is text appended
 * to the base, never a URL resolved against it, and is refused when it could mean anything
 * else: a scheme (`http:`, `javascript:`), a scheme-relative `//host`, backslashes,
 * control characters, or a dot segment — literal or percent-encoded any number of times
 * (`..`, `%2e%2e`, `%2E.`, `%252e%252e`, `..%2f`), with or without path parameters
 * (`..;`, `..;x=1`, `%2e%2e;`, `..%3b`: Tomcat, Jetty and Spring drop everything from the
 * first `;` of a segment and then resolve the `..`). The built URL is then checked again:
 * same origin, no userinfo, path still under the base path.
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
  const relative = path.startsWith("/") ? path.slice(1) : path;
  const hashAt = relative.indexOf("#");
  const withoutHash = hashAt >= 0 ? relative.slice(0, hashAt) : relative;
  const queryAt = withoutHash.indexOf("?");
  const pathPart = queryAt >= 0 ? withoutHash.slice(0, queryAt) : withoutHash;
  const query = queryAt >= 0 ? withoutHash.slice(queryAt) : "";

  if (SCHEME.test(pathPart)) throw refuse("absolute URL");
  if (CONTROL.test(withoutHash)) throw refuse("control character");
  if (withoutHash.includes("\\")) throw refuse("backslash");
  checkSegments(pathPart);

  const url = new URL(base.href + pathPart + query);
  if (!isUnderBase(base, url)) throw refuse("it leaves base_url");
  return url;
}

/** True when `url` is `base` or below it: same scheme, host and port, no userinfo. */
export function isUnderBase(base: URL, url: URL): boolean {
  return url.origin === base.origin && !url.username && !url.password && url.pathname.startsWith(base.pathname);
}

/**
 * Decodes until stable (double encoding included) and refuses `.`/`..` segments and encoded
 * separator tricks. A segment is compared up to its first `;`, because servlet containers
 * strip path parameters (`;jsessionid=…`) before they resolve dot segments.
 */
function checkSegments(pathPart: string): void {
  let text = pathPart;
  for (let round = 0; round < 5; round++) {
    for (const segment of text.split(/[/\\]/)) {
      const name = segment.split(";", 1)[0];
      if (name === "." || name === "..") throw refuse("dot segment");
    }
    if (text.includes("\\") || text.includes("\0")) throw refuse("encoded backslash or NUL");
    let decoded: string;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      throw refuse("malformed percent-encoding");
    }
    if (decoded === text) return;
    text = decoded;
  }
  throw refuse("too deeply encoded");
}
