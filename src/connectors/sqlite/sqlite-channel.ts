/**
 * @module
 * Calls to one SQLite worker, one at a time. The queue lives here, on the agent's thread,
 * rather than in the worker's message queue, so a call whose caller left while it waited
 * behind a long statement is dropped before it is ever sent, and one whose deadline passed
 * in the queue fails with TIMEOUT instead of starting late. (A shared-memory cancel flag
 * read by the worker was tried first: the process then never exited.)
 */
import { abortReason } from "../context.ts";
import { ConnectorError } from "../errors.ts";
import type { EngineCall, EngineReply } from "./sqlite-worker.ts";

/** An engine call without its id, which the channel assigns. */
export type Call = EngineCall extends infer C ? (C extends EngineCall ? Omit<C, "id"> : never) : never;

export interface CallOptions {
  /** The caller's signal: an abort answers the caller at once. */
  signal?: AbortSignal;
  /** Epoch ms; a call still queued at this time is not sent. */
  deadline?: number;
  /** Gets the worker's answer to a call whose caller had already left (to release what it holds). */
  onAbandoned?: (value: unknown) => void;
}

interface Queued extends CallOptions {
  call: Call;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  abandoned: boolean;
}

export class SqliteChannel {
  readonly #worker: Worker;
  readonly #queue: Queued[] = [];
  #running: Queued | undefined;
  #nextId = 1;
  #stopped: ConnectorError | undefined;

  /** `onLost` hears of a worker that died on its own (a crash, not an SQL error). */
  constructor(worker: Worker, onLost: (error: ConnectorError) => void) {
    this.#worker = worker;
    worker.onmessage = (event: MessageEvent<EngineReply>) => this.#answered(event.data);
    worker.onerror = (event: ErrorEvent) => {
      // `event.message` carries a source excerpt; the thrown error's own message is enough.
      const why = event.error instanceof Error ? event.error.message : "it crashed";
      const error = new ConnectorError("UNAVAILABLE", `the SQLite worker stopped: ${why}`, { retryable: true });
      this.stop(error);
      onLost(error);
    };
    // Only a worker with calls to do keeps the process alive.
    worker.unref();
  }

  send(call: Call, options: CallOptions = {}): Promise<unknown> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const entry: Queued = { ...options, call, resolve, reject, abandoned: false };
      if (signal) {
        const onAbort = () => this.#abandon(entry, abortReason(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        const done = () => signal.removeEventListener("abort", onAbort);
        entry.resolve = (value) => (done(), resolve(value));
        entry.reject = (error) => (done(), reject(error));
      }
      this.#queue.push(entry);
      this.#pump();
    });
  }

  /** Fails every call still waiting or running and ends the worker. */
  stop(reason: ConnectorError): void {
    if (this.#stopped) return;
    this.#stopped = reason;
    this.#worker.terminate();
    for (const entry of [...this.#queue, ...(this.#running ? [this.#running] : [])]) entry.reject(reason);
    this.#queue.length = 0;
    this.#running = undefined;
  }

  #abandon(entry: Queued, error: ConnectorError): void {
    entry.abandoned = true;
    const queued = this.#queue.indexOf(entry);
    if (queued >= 0) this.#queue.splice(queued, 1);
    entry.reject(error);
  }

  #pump(): void {
    if (this.#running || this.#stopped) return;
    const entry = this.#queue.shift();
    if (!entry) return this.#worker.unref();
    if (entry.deadline !== undefined && Date.now() >= entry.deadline) {
      entry.reject(new ConnectorError("TIMEOUT", "the request's deadline passed before SQLite could start it"));
      return this.#pump();
    }
    this.#running = entry;
    this.#worker.ref();
    this.#worker.postMessage({ ...entry.call, id: this.#nextId++ } as EngineCall);
  }

  #answered(reply: EngineReply): void {
    const entry = this.#running;
    if (!entry) return;
    this.#running = undefined;
    if (reply.ok && entry.abandoned) entry.onAbandoned?.(reply.value);
    else if (reply.ok) entry.resolve(reply.value);
    else entry.reject(new ConnectorError(reply.error.code, reply.error.message, { retryable: reply.error.retryable, details: reply.error.details }));
    this.#pump();
  }
}
