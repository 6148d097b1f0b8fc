// The gateway's own API, called with the admin token this tab keeps in sessionStorage.
// Failures become `ApiError`s carrying the API's status, code, message and field.

export const TOKEN_KEY = "outpost.token";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    /** The request field a validation error is about (`name`, `settings.allowedCidrs`), if any. */
    this.field = body?.error?.field;
  }
}

let unauthorized = () => {};

/** What to do when the gateway refuses the token (401): the shell signs the user out. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export async function api(method, path, body) {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (response.status === 401) unauthorized("Your token was refused; sign in again.");
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/**
 * Whether `token` is an admin token: the console is for admins only, and listing tokens
 * is an admin-only call. Resolves to `{ admin }`, or `{ admin: false, message }` saying why.
 */
export async function checkAdminToken(token) {
  const response = await fetch("/v1/admin/tokens", { headers: { authorization: `Bearer ${token}` } });
  if (response.ok) return { admin: true };
  const body = await response.json().catch(() => ({}));
  const message = response.status === 403 ? "This token is not an admin token." : body?.error?.message ?? `Sign-in failed (HTTP ${response.status}).`;
  return { admin: false, message };
}
