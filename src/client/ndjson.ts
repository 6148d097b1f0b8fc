/**
 * @module
 * Reading a streamed query. The gateway sends NDJSON: a first line `{"columns": [...]}`,
 * one JSON array per row in column order, and a last line that is either the summary
 * `{"rowCount", "truncated"}` or, when the query failed mid-stream, `{"error": {...},
 * "rowCount"}`. {@link RowStream} turns that into rows keyed by column name, pulling the
 * body only as fast as the caller iterates, so memory stays flat for any row count.
 */
import { CLIENT_CODES, OutpostError, outpostError, readErrorObject, wrapFailure } from "./errors.ts";
import type { Column, JsonValue, QuerySummary, Row } from "./types.ts";

/** Yields each non-empty line of a UTF-8 body parsed as JSON. */
export async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim() !== "") yield JSON.parse(line);
    }
  }
  pending += decoder.decode();
  if (pending.trim() !== "") yield JSON.parse(pending);
}

/**
 * The rows of a streamed query: `for await (const row of stream)`. Iterate once. Breaking
 * out of the loop (or `cancel()`) stops the transfer and the query on the database.
 */
export class RowStream<R = Row> implements AsyncIterable<R> {
  /** The result's columns; resolves when the first line arrives. */
  readonly columns: Promise<Column[]>;
  /** `rowCount` and `truncated`; resolves after the last row, rejects if the stream failed. */
  readonly summary: Promise<QuerySummary>;
  readonly #rows: AsyncGenerator<R>;
  readonly #controller: AbortController;
  readonly #summary: Resolvers<QuerySummary>;

  /** `open` starts the request with the given signal and resolves with the NDJSON answer. */
  constructor(open: (signal: AbortSignal) => Promise<Response>, signal?: AbortSignal) {
    this.#controller = new AbortController();
    const combined = signal ? AbortSignal.any([signal, this.#controller.signal]) : this.#controller.signal;
    const columns = Promise.withResolvers<Column[]>();
    const summary = Promise.withResolvers<QuerySummary>();
    // Callers may await only one of them; an unwatched rejection must not crash the process.
    columns.promise.catch(() => {});
    summary.promise.catch(() => {});
    this.columns = columns.promise;
    this.summary = summary.promise;
    this.#summary = summary;
    const opening = openRows(open(combined));
    opening.then((opened) => columns.resolve(opened.columns), (error) => {
      columns.reject(error);
      summary.reject(error);
    });
    this.#rows = readRows<R>(opening, combined, summary);
  }

  [Symbol.asyncIterator](): AsyncIterator<R> {
    return this.#rows;
  }

  /** Stops the stream; the iterator ends and `summary` rejects with ABORTED. */
  async cancel(): Promise<void> {
    this.#controller.abort();
    // A generator never started skips its `finally`; settle the summary here too.
    this.#summary.reject(new OutpostError(CLIENT_CODES.ABORTED, "the row stream was cancelled"));
    await this.#rows.return(undefined);
  }

  /** Reads every row into an array (for results known to be small). */
  async toArray(): Promise<R[]> {
    const rows: R[] = [];
    for await (const row of this) rows.push(row);
    return rows;
  }
}

type Resolvers<T> = ReturnType<typeof Promise.withResolvers<T>>;

interface Opened {
  response: Response;
  lines: AsyncGenerator<unknown>;
  columns: Column[];
  names: string[];
}

/** Waits for the answer and its first line, so `columns` resolves before anyone iterates. */
async function openRows(answer: Promise<Response>): Promise<Opened> {
  const response = await answer;
  if (!response.body) throw broken("the answer has no body", response);
  const lines = ndjsonLines(response.body);
  try {
    const first = await lines.next();
    const columns = first.done ? undefined : (first.value as { columns?: Column[] }).columns;
    if (!Array.isArray(columns)) throw (first.done ? undefined : fail(first.value, response)) ?? broken("the first line has no columns", response);
    return { response, lines, columns, names: columns.map((column) => column.name) };
  } catch (error) {
    await lines.return(undefined).catch(() => {});
    throw asFailure(error, response);
  }
}

async function* readRows<R>(
  opening: Promise<Opened>,
  signal: AbortSignal,
  summary: Resolvers<QuerySummary>,
): AsyncGenerator<R> {
  let opened: Opened | undefined;
  let rowCount = 0;
  try {
    opened = await opening;
    const { response, lines, names } = opened;
    for await (const line of lines) {
      if (Array.isArray(line)) {
        rowCount++;
        yield toRow(names, line as JsonValue[]) as R;
        continue;
      }
      const failure = fail(line, response);
      if (failure) throw failure;
      const end = line as Partial<QuerySummary>;
      summary.resolve({ rowCount: end.rowCount ?? rowCount, truncated: end.truncated === true });
      return;
    }
    throw broken(`the stream ended after ${rowCount} rows without its summary line`, response);
  } catch (error) {
    const failure = error instanceof OutpostError ? error : asFailure(error, opened?.response, signal);
    summary.reject(failure);
    throw failure;
  } finally {
    // Reached on break/return too: stop the transfer so the agent cancels the query.
    await opened?.lines.return(undefined).catch(() => {});
    if (!signal.aborted) await opened?.response.body?.cancel().catch(() => {});
    summary.reject(new OutpostError(CLIENT_CODES.ABORTED, "the row stream was stopped before its end"));
  }
}

function asFailure(error: unknown, response?: Response, signal?: AbortSignal): OutpostError {
  if (error instanceof SyntaxError) return broken("a line of the answer is not valid JSON", response, error);
  const failure = wrapFailure(error, CLIENT_CODES.STREAM_BROKEN, "reading the rows failed", signal);
  if (failure.requestId || !response) return failure;
  return new OutpostError(failure.code, failure.message, {
    retryable: failure.retryable,
    requestId: response.headers.get("x-request-id") ?? undefined,
    status: response.status,
    cause: failure.cause,
  });
}

function toRow(names: string[], values: JsonValue[]): Row {
  const row: Row = {};
  for (let i = 0; i < names.length; i++) row[names[i]!] = values[i] ?? null;
  return row;
}

/** An NDJSON error line as an OutpostError; `undefined` if the line is not one. */
function fail(line: unknown, response: Response): OutpostError | undefined {
  const error = readErrorObject(line);
  if (!error) return undefined;
  return outpostError(error.code, error.message, {
    retryable: error.retryable,
    requestId: error.requestId ?? response.headers.get("x-request-id") ?? undefined,
    status: response.status,
  });
}

function broken(message: string, response?: Response, cause?: unknown): OutpostError {
  return new OutpostError(CLIENT_CODES.STREAM_BROKEN, message, {
    requestId: response?.headers.get("x-request-id") ?? undefined,
    status: response?.status ?? 0,
    cause,
  });
}
