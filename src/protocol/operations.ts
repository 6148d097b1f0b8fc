/**
 * @module
 * The operations a gateway may ask of an agent, one name per connector call. The open
 * header of every request stream names one of these in `op`; its `args` follow the shape
 * given here. Shared by both sides so a new operation is added in one place.
 *
 * `idempotent` decides whether the gateway may retry a request on another agent of the
 * group when the first agent's connection drops mid-request: only reads are retried,
 * never anything that could run twice.
 */

/** The profile kinds an agent offers; a route's kind must match the profile's. */
export type ProfileKindName = "databases" | "files" | "http" | "scripts" | "extensions";

export interface OperationSpec {
  readonly kind: ProfileKindName;
  /** Safe to run again on another agent after a dropped connection. */
  readonly idempotent: boolean;
  /** The request stream carries a body (upload, forwarded HTTP body). */
  readonly requestBody: boolean;
  /**
   * What the request's deadline bounds: the whole `reply` (default); only the wait for the
   * reply `head`, for answers that stream for as long as the caller reads (downloads,
   * forwarded HTTP); or `none` for uploads, which last as long as the caller sends.
   */
  readonly deadline?: "reply" | "head" | "none";
}

export const OPERATIONS = {
  "db.query": { kind: "databases", idempotent: true, requestBody: false },
  "db.execute": { kind: "databases", idempotent: false, requestBody: false },
  "db.batch": { kind: "databases", idempotent: false, requestBody: false },
  "db.call": { kind: "databases", idempotent: false, requestBody: false },
  "files.list": { kind: "files", idempotent: true, requestBody: false },
  "files.stat": { kind: "files", idempotent: true, requestBody: false },
  "files.read": { kind: "files", idempotent: true, requestBody: false, deadline: "head" },
  "files.write": { kind: "files", idempotent: false, requestBody: true, deadline: "none" },
  "files.move": { kind: "files", idempotent: false, requestBody: false },
  "files.rename": { kind: "files", idempotent: false, requestBody: false },
  "files.mkdir": { kind: "files", idempotent: true, requestBody: false },
  "files.delete": { kind: "files", idempotent: false, requestBody: false },
  "files.poll": { kind: "files", idempotent: false, requestBody: false },
  // Idempotency of forwarded HTTP depends on the method; see isIdempotent().
  "http.forward": { kind: "http", idempotent: false, requestBody: true, deadline: "head" },
  "scripts.run": { kind: "scripts", idempotent: false, requestBody: false },
  "ext.handle": { kind: "extensions", idempotent: false, requestBody: true, deadline: "head" },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATIONS;

export function isOperation(name: string): name is OperationName {
  return Object.hasOwn(OPERATIONS, name);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether a request may be retried on another agent: reads, and safe HTTP methods. */
export function isIdempotent(op: OperationName, args: Record<string, unknown>): boolean {
  if (op === "http.forward" || op === "ext.handle") {
    return typeof args.method === "string" && SAFE_METHODS.has(args.method.toUpperCase());
  }
  return OPERATIONS[op].idempotent;
}

/** What an operation's deadline bounds (see OperationSpec.deadline). */
export function deadlineScope(op: OperationName): "reply" | "head" | "none" {
  const spec: OperationSpec = OPERATIONS[op];
  return spec.deadline ?? "reply";
}

/** A profile an agent offers, as reported in its hello. */
export interface OfferedProfile {
  name: string;
  kind: ProfileKindName;
  /** Hash of the profile's configuration; differing hashes in one group mean drift. */
  hash: string;
}

/**
 * Operations on the agent itself rather than on a profile (the open header's `profile`
 * is empty). Only the gateway's own orchestration sends them, never a caller.
 */
export const CONTROL_OPERATIONS = {
  /** `{version, baseUrl?}`: download, verify and swap in that release, answer, then exit for a restart. */
  "agent.upgrade": { idempotent: false },
} as const;

export type ControlOperationName = keyof typeof CONTROL_OPERATIONS;

export function isControlOperation(name: string): name is ControlOperationName {
  return Object.hasOwn(CONTROL_OPERATIONS, name);
}
