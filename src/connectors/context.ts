/**
 * @module
 * Builds the `CallContext` every connector call receives. Its signal aborts with a
 * `ConnectorError("TIMEOUT")` when the deadline passes and with
 * `ConnectorError("CANCELLED")` when the parent signal (the caller's stream) aborts, so a
 * connector can always rethrow `signal.reason` as is.
 */
import type { Logger } from "../log/logger.ts";
import { silentLogger } from "../log/logger.ts";
import type { CallContext } from "./connector.ts";
import { ConnectorError, isConnectorError } from "./errors.ts";

export interface ContextOptions {
  /** Defaults to a random UUID. */
  requestId?: string;
  /** The caller's signal (the tunnel stream's); its abort becomes CANCELLED. */
  signal?: AbortSignal;
  /** Epoch milliseconds. Defaults to now + `timeoutMs`. */
  deadline?: number;
  /** Used only when `deadline` is missing. Defaults to `300_000` (5 minutes). */
  timeoutMs?: number;
  /** The longest the call may take from now, whatever `deadline` says (a profile's `query_timeout`). */
  maxMs?: number;
  /** Defaults to the silent logger. The context's logger carries `requestId`. */
  log?: Logger;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

/** A `CallContext` that must be disposed (clears its deadline timer); works with `using`. */
export interface OwnedContext extends CallContext, Disposable {
  dispose(): void;
  /** Stops the deadline (the caller's cancel still aborts): for answers that stream as long as the caller reads. */
  clearDeadline(): void;
}

/** Longest delay `setTimeout` accepts; later deadlines are re-armed when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createCallContext(options: ContextOptions = {}): OwnedContext {
  const now = options.now ?? Date.now;
  const requestId = options.requestId ?? crypto.randomUUID();
  const deadline = Math.min(options.deadline ?? now() + (options.timeoutMs ?? 300_000), now() + (options.maxMs ?? Infinity));
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const onParentAbort = () => controller.abort(cancelledError(options.signal?.reason));
  let deadlineCleared = false;
  const arm = () => {
    if (deadlineCleared) return;
    const left = deadline - now();
    if (left <= 0) return controller.abort(new ConnectorError("TIMEOUT", "the request's deadline passed"));
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  const dispose = () => {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onParentAbort);
  };

  if (options.signal?.aborted) onParentAbort();
  else options.signal?.addEventListener("abort", onParentAbort, { once: true });
  if (!controller.signal.aborted) arm();

  return {
    requestId,
    signal: controller.signal,
    deadline,
    log: (options.log ?? silentLogger).with({ requestId }),
    dispose,
    clearDeadline() {
      deadlineCleared = true;
      if (timer) clearTimeout(timer);
    },
    [Symbol.dispose]: dispose,
  };
}

/** The ConnectorError an aborted signal carries (CANCELLED when the reason is anything else). */
export function abortReason(signal: AbortSignal): ConnectorError {
  return isConnectorError(signal.reason) ? signal.reason : cancelledError(signal.reason);
}

/** Throws the signal's ConnectorError when it has aborted; call it between units of work. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

function cancelledError(reason: unknown): ConnectorError {
  if (isConnectorError(reason) && (reason.code === "CANCELLED" || reason.code === "TIMEOUT")) return reason;
  return new ConnectorError("CANCELLED", "the request was cancelled", { cause: reason });
}

/** Runs `cancel` once when `signal` aborts; returns the function that detaches it. */
export function onAbort(signal: AbortSignal, cancel: () => void): () => void {
  if (signal.aborted) {
    cancel();
    return () => {};
  }
  signal.addEventListener("abort", cancel, { once: true });
  return () => signal.removeEventListener("abort", cancel);
}
