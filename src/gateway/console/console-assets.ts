/**
 * @module
 * The console's static files, embedded in the binary as text (`with { type: "text" }`
 * works the same under `bun test` and in a `bun build --compile` executable). Nothing is
 * fetched from elsewhere: no CDN, no web fonts. The Content-Security-Policy allows only
 * this origin, so even an injected string could not load or run anything.
 */
import api from "./assets/console-api.js" with { type: "text" };
import ui from "./assets/console-ui.js" with { type: "text" };
import script from "./assets/console.js" with { type: "text" };
import groups from "./assets/groups-page.js" with { type: "text" };
import formFields from "./assets/form-fields.js" with { type: "text" };
import requests from "./assets/requests-panel.js" with { type: "text" };
import styles from "./assets/console.css" with { type: "text" };
import page from "./assets/index.html" with { type: "text" };
import openapi from "../../../docs/openapi.yaml" with { type: "text" };
import { GatewayError } from "../http-errors.ts";

const ASSETS: Record<string, { body: string; type: string }> = {
  "index.html": { body: String(page), type: "text/html; charset=utf-8" },
  "console.css": { body: styles, type: "text/css; charset=utf-8" },
  "console.js": { body: script, type: "text/javascript; charset=utf-8" },
  // ES modules that console.js imports (same origin, so the CSP allows them).
  "console-api.js": { body: api, type: "text/javascript; charset=utf-8" },
  "console-ui.js": { body: ui, type: "text/javascript; charset=utf-8" },
  "groups-page.js": { body: groups, type: "text/javascript; charset=utf-8" },
  "form-fields.js": { body: formFields, type: "text/javascript; charset=utf-8" },
  "requests-panel.js": { body: requests, type: "text/javascript; charset=utf-8" },
};

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // The page is small; revalidating each time keeps it in step with the running gateway.
  "cache-control": "no-cache",
};

/** The named asset; NOT_FOUND for any other name. */
export function consoleAsset(name: string): Response {
  const asset = ASSETS[name];
  if (!asset) throw new GatewayError("NOT_FOUND", `no console file "${name}"`);
  return new Response(asset.body, { headers: { "content-type": asset.type, ...SECURITY_HEADERS } });
}

/**
 * `/openapi.yaml`: the API description this gateway was built with (docs/openapi.yaml,
 * embedded like the console's files), so a client generator can point at a running gateway.
 * No token: it describes routes, not data.
 */
export function openapiDocument(): Response {
  return new Response(String(openapi), { headers: { "content-type": "application/yaml; charset=utf-8", "x-content-type-options": "nosniff", "cache-control": "no-cache" } });
}

/** Names served under `/console/` (the page itself is also at `/console`). */
export const CONSOLE_ASSET_NAMES = Object.keys(ASSETS);
