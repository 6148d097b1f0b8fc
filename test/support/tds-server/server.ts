/**
 * @module
 * A protocol-level SQL Server stand-in for tests (no SQL engine): it speaks enough TDS 7.4
 * for tedious — PRELOGIN with optional TLS inside PRELOGIN, LOGIN7 with password check,
 * SQL batches, RPC (sp_executesql with typed parameters, stored procedures with output
 * parameters), transaction manager requests and ATTENTION — and answers statements from a
 * table of canned handlers that tests register. It counts what it saw (`stats`, `sql`) so
 * tests can assert, for example, that a cancel really reached the server. Each session keeps
 * a little state (session-state.ts) that RESETCONNECTION clears, and records per request
 * whether the client asked for that reset (`sessions[i].resets`).
 *
 * ```ts
 * const server = await startTdsServer({ users: { sa: "secret" } });
 * server.on("select 1 as one", () => ({ columns: [{ name: "one", type: "int" }], rows: [[1]] }));
 * ```
 */
import { createServer, type Server, type Socket } from "node:net";
import type { QueryHandler, ProcedureHandler, SessionInfo } from "./answers.ts";
import { matcher } from "./answers.ts";
import type { RpcCall, RpcParam } from "./requests.ts";
import { TdsSession } from "./session.ts";
import { installSessionState } from "./session-state.ts";

export interface TdsServerOptions {
  /** Logins the server accepts: user → password. */
  users: Record<string, string>;
  /** Certificate and key (PEM): offered as TDS 7 encryption when the client asks for it. */
  tls?: { cert: string; key: string };
  /** Defaults to a free port on 127.0.0.1; kept across `stop()`/`start()`. */
  port?: number;
}

export interface TdsStats {
  connections: number;
  tlsSessions: number;
  logins: number;
  failedLogins: number;
  batches: number;
  rpcs: number;
  attentions: number;
  /** Requests that came with the RESETCONNECTION status bit (sp_reset_connection runs first). */
  resets: number;
  rowsSent: number;
  /** How many times a response waited for the socket to drain (the client was not reading). */
  blockedWrites: number;
  waitingForDrain: boolean;
  transactions: { begin: number; commit: number; rollback: number };
}

export type TransactionEvent = "begin" | "commit" | "rollback";

export class TdsServer {
  readonly options: TdsServerOptions;
  readonly stats: TdsStats = {
    connections: 0, tlsSessions: 0, logins: 0, failedLogins: 0, batches: 0, rpcs: 0, attentions: 0, resets: 0, rowsSent: 0,
    blockedWrites: 0, waitingForDrain: false, transactions: { begin: 0, commit: 0, rollback: 0 },
  };
  /** Every statement received (batch text or sp_executesql's statement), in order. */
  readonly sql: string[] = [];
  /** The bound parameters of each sp_executesql call, in order. */
  readonly params: RpcParam[][] = [];
  readonly procedures: RpcCall[] = [];
  /** Every session that logged in or tried to, in connection order. */
  readonly sessions: SessionInfo[] = [];
  /** When set, sp_reset_connection fails with this error and the request that asked for it does not run. */
  resetError: { number: number; message: string } | undefined;
  /** When set, sp_reset_connection waits for it before answering (a slow reset). */
  holdResets: Promise<void> | undefined;
  readonly #queries: [RegExp, QueryHandler][] = [];
  readonly #procedures = new Map<string, ProcedureHandler>();
  readonly #transactionListeners: ((event: TransactionEvent, session: SessionInfo) => void)[] = [];
  readonly #sessions = new Set<TdsSession>();
  #listener: Server | undefined;
  #port: number;

  constructor(options: TdsServerOptions) {
    this.options = options;
    this.#port = options.port ?? 0;
    installSessionState(this);
    this.on("select 1", () => ({ columns: [{ name: "", type: "int" }], rows: [[1]] }));
  }

  get port(): number {
    return this.#port;
  }

  /** Registers a canned statement; later registrations win over earlier ones. */
  on(pattern: string | RegExp, handler: QueryHandler): this {
    this.#queries.unshift([matcher(pattern), handler]);
    return this;
  }

  procedure(name: string, handler: ProcedureHandler): this {
    this.#procedures.set(name.toLowerCase(), handler);
    return this;
  }

  onTransaction(listener: (event: TransactionEvent, session: SessionInfo) => void): this {
    this.#transactionListeners.push(listener);
    return this;
  }

  queryHandler(sql: string): { handler: QueryHandler; match: RegExpMatchArray } | undefined {
    for (const [pattern, handler] of this.#queries) {
      const match = sql.match(pattern);
      if (match) return { handler, match };
    }
    return undefined;
  }

  procedureHandler(name: string): ProcedureHandler | undefined {
    return this.#procedures.get(name.toLowerCase());
  }

  emitTransaction(event: TransactionEvent, session: SessionInfo): void {
    for (const listener of this.#transactionListeners) listener(event, session);
  }

  async start(): Promise<void> {
    const listener = createServer((socket: Socket) => {
      this.stats.connections++;
      const session = new TdsSession(this, socket, this.stats.connections);
      this.#sessions.add(session);
      socket.on("close", () => this.#sessions.delete(session));
    });
    await new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(this.#port, "127.0.0.1", () => resolve());
    });
    const address = listener.address();
    if (address && typeof address === "object") this.#port = address.port;
    this.#listener = listener;
  }

  /** Closes the listener and every open connection (a server crash, as far as clients can tell). */
  async stop(): Promise<void> {
    for (const session of this.#sessions) session.close();
    this.#sessions.clear();
    const listener = this.#listener;
    this.#listener = undefined;
    if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()));
  }
}

export async function startTdsServer(options: TdsServerOptions): Promise<TdsServer> {
  const server = new TdsServer(options);
  await server.start();
  return server;
}
