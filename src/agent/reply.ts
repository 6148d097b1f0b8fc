/**
 * @module
 * How an operation answers on its stream: a reply head with the HTTP status and headers
 * the gateway should use, then the body, then END. A failure before the head becomes an
 * error head; a failure after it (mid-body) resets the stream, so the caller can never
 * mistake a cut answer for a complete one.
 */
import { ConnectorError, isConnectorError } from "../connectors/errors.ts";
import { ResetCode, encodeRemoteError, type RemoteError } from "../protocol/index.ts";
import type { Stream } from "../tunnel/index.ts";

const encoder = new TextEncoder();

export type HeaderList = [string, string][];

export class Reply {
  readonly stream: Stream;
  readonly #onHead?: () => void;
  #headSent = false;

  /** `onHead` runs once the success head is out (the dispatcher stops a streamed answer's deadline there). */
  constructor(stream: Stream, options: { onHead?: () => void } = {}) {
    this.stream = stream;
    this.#onHead = options.onHead;
  }

  get headSent(): boolean {
    return this.#headSent;
  }

  async head(status: number, headers: HeaderList = []): Promise<void> {
    this.#headSent = true;
    await this.stream.writeReplyHead({ ok: true, meta: { status, headers } });
    this.#onHead?.();
  }

  async json(value: unknown, status = 200, headers: HeaderList = []): Promise<void> {
    const body = encoder.encode(JSON.stringify(value));
    await this.head(status, [["content-type", "application/json; charset=utf-8"], ["content-length", String(body.byteLength)], ...headers]);
    await this.stream.write(body);
    await this.stream.end();
  }

  async empty(status: number, headers: HeaderList = []): Promise<void> {
    await this.head(status, headers);
    await this.stream.end();
  }

  /** Sends the head, then `body` with flow control, then END. */
  async body(status: number, headers: HeaderList, body: ReadableStream<Uint8Array> | null): Promise<void> {
    try {
      await this.head(status, headers);
    } catch (error) {
      // Nobody will read the body: release what it holds (an open file, an upstream response).
      await body?.cancel(error).catch(() => {});
      throw error;
    }
    if (body) await pipeBody(this.stream, body);
    await this.stream.end();
  }

  /** Writes text (NDJSON lines, JSON fragments) after the head. */
  write(text: string): Promise<void> {
    return this.stream.write(encoder.encode(text));
  }

  /** Reports a failure as an error head, or as a reset carrying the error once the head is out. */
  async fail(error: unknown): Promise<void> {
    if (this.stream.signal.aborted) return;
    const remote = toRemoteError(error);
    if (this.#headSent) {
      this.stream.reset(ResetCode.APPLICATION, encodeRemoteError(remote));
      return;
    }
    this.#headSent = true;
    try {
      await this.stream.writeReplyHead({ ok: false, error: remote });
      await this.stream.end();
    } catch {
      // The stream died while answering; the gateway sees the reset instead.
    }
  }
}

/** Copies `body` onto the stream, honouring credit; cancels `body` if the stream dies first. */
export async function pipeBody(stream: Stream, body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await stream.write(value);
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  }
}

export function toRemoteError(error: unknown): RemoteError {
  const known = isConnectorError(error) ? error : new ConnectorError("INTERNAL", "internal error in the agent", { cause: error });
  return { code: known.code, message: known.message, retryable: known.retryable };
}
