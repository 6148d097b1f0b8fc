/**
 * @module
 * Header handling for the HTTP connector: hop-by-hop headers describe one connection
 * (RFC 9110 §7.6.1) and never cross the agent, in either direction; headers a `Connection`
 * header names are dropped too. The profile's headers are defaults a caller may replace.
 */

const HOP_BY_HOP = new Set(["connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "host"]);

export function isHopByHop(name: string): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP.has(lower) || lower.startsWith("proxy-");
}

/** Drops hop-by-hop headers and those listed in `Connection`. */
export function stripHopByHop(headers: Iterable<[string, string]>): [string, string][] {
  const list = [...headers];
  const named = new Set(
    list
      .filter(([name]) => name.toLowerCase() === "connection")
      .flatMap(([, value]) => value.split(",").map((token) => token.trim().toLowerCase())),
  );
  return list.filter(([name]) => !isHopByHop(name) && !named.has(name.toLowerCase()));
}

/** Profile defaults first; a caller's header of the same name replaces the default. */
export function requestHeaders(defaults: Record<string, string> | undefined, given: [string, string][]): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(defaults ?? {})) headers.set(name, value);
  const callers = stripHopByHop(given);
  for (const name of new Set(callers.map(([n]) => n.toLowerCase()))) headers.delete(name);
  for (const [name, value] of callers) headers.append(name, value);
  // A caller's Content-Length is kept (Bun then sends the stream unchunked, which some
  // servers require); without one the body goes chunked.
  return headers;
}

export function responseHeaders(headers: Headers): [string, string][] {
  return stripHopByHop(headers.entries());
}
