/**
 * @module
 * One access line per HTTP request the gateway answers, invoke and admin alike, written
 * by the `access` logger component (route or level it like any other: `logging.components:
 * { access: warn }` turns the lines off). Each finished request is one `AccessEntry`: the
 * same object goes to the log line and to the console's recent-request list, so a request
 * costs that one object plus the line, and the line is formatted only when `access` logs
 * at info.
 *
 * Field names avoid "token" on purpose: the logger redacts fields whose names look secret,
 * so the token's name travels as `caller`. The token's secret never reaches an entry.
 */
import type { Logger } from "../log/logger.ts";
import { errorCode } from "./http-errors.ts";

/** What the gateway knows about one finished request. Absent fields are `undefined` (left out of the line). */
export interface AccessEntry {
  requestId: string;
  method: string;
  /** The operation (`db.query`, `files.read`) or, for the admin API, its route (`PATCH /v1/groups/:group`). */
  op: string;
  group?: string;
  profile?: string;
  /** Name of the API token that authenticated the request (none for failed authentication). */
  caller?: string;
  /** Name of the agent that answered, or failed to (an error head, a timeout, a cut body). */
  agent?: string;
  /** The HTTP status sent. A body cut mid-way keeps the status of its head; `code` says why it was cut. */
  status: number;
  /** The error code of a failed request (`AGENT_ERROR`, `UNAUTHENTICATED`, `CANCELLED`). */
  code?: string;
  bytesIn: number;
  /** Body bytes actually sent to the caller (for a cut or cancelled body, what went out before). */
  bytesOut: number;
  /** From the request's arrival to the last byte sent (or the abort), rounded to 0.1 ms. */
  ms: number;
  remoteIp: string;
}

/** Keeps finished requests for later reading (the console's request list). */
export interface AccessRecorder {
  add(entry: AccessEntry): void;
}

export interface AccessLogOptions {
  /** The `access` component's logger. */
  log: Logger;
  /** Also hands invoke entries (those with a group) here. */
  recorder?: AccessRecorder;
}

export class AccessLog {
  readonly #log: Logger;
  readonly #recorder?: AccessRecorder;

  constructor(options: AccessLogOptions) {
    this.#log = options.log;
    this.#recorder = options.recorder;
  }

  /** A new entry for `request`; the caller fills in what it learns and passes it to `write`. */
  static begin(request: Request, op: string, info: { requestId: string; remoteIp: string }): AccessEntry {
    return {
      requestId: info.requestId,
      method: request.method,
      op,
      group: undefined,
      profile: undefined,
      caller: undefined,
      agent: undefined,
      status: 0,
      code: undefined,
      bytesIn: Number(request.headers.get("content-length")) || 0,
      bytesOut: 0,
      ms: 0,
      remoteIp: info.remoteIp,
    };
  }

  /** Writes the entry's line and records it; `started` is the request's `performance.now()` at arrival. */
  write(entry: AccessEntry, started: number): void {
    entry.ms = Math.round((performance.now() - started) * 10) / 10;
    if (entry.group !== undefined) this.#recorder?.add(entry);
    // 4xx and 5xx are still info: the line is a record of traffic, not an alarm (alarms are metrics).
    if (this.#log.enabled("info")) this.#log.info("request", entry as unknown as Record<string, unknown>);
  }

  /**
   * Writes the line of a request answered in one piece (admin, console, refusals): status
   * and size from `response`, the error code from `error` when it failed.
   */
  answered(entry: AccessEntry, response: Response, started: number, error?: unknown): void {
    entry.status = response.status;
    entry.bytesOut = declaredLength(response);
    if (error !== undefined) entry.code ??= errorCode(error);
    this.write(entry, started);
  }
}

/** Bytes of an answer whose length is known up front (JSON answers carry `content-length`). */
export function declaredLength(response: Response): number {
  return Number(response.headers.get("content-length")) || 0;
}
