/**
 * @module
 * Reading a streamed query. The gateway sends NDJSON: a first line `{"columns": [...]}`,
 * one JSON array per row in column order, and a last line that is either the summary
 * `{"rowCount", "truncated"}` or, when the query failed mid-stream, `{"error": {...},
 * "rowCount"}`. {@link RowStream} yields each row keyed by column name (or, with
 * `rows: "arrays"`, the array itself), pulling the body only as fast as the caller
 * iterates, so memory stays flat for any row count.
 *
 * The complete lines of each chunk the body delivers are parsed with one `JSON.parse`
 * (they are joined into one JSON array): a line per call and a promise per line cost
 * more than the parse itself on a bulk read.
 */
import { CLIENT_CODES, OutpostError, outpostError, readErrorObject, wrapFailure } from "./errors.ts";
import type { Column, JsonValue, QuerySummary, Row } from "./types.ts";

/** Yields each non-empty line of a UTF-8 body parsed as JSON. */
export async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  for await (const values of ndjsonBatches(body)) yield* values;
}

/**
 * Yields the values of the complete non-empty lines of each chunk of `body`, in order.
 * A line that is not JSON throws a SyntaxError after the lines before it were yielded.
 */
export async function* ndjsonBatches(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown[]> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    const last = pending.lastIndexOf("\n");
    if (last < 0) continue;
    const parsed = parseLines(pending.slice(0, last));
    pending = pending.slice(last + 1);
    if (parsed.values.length > 0) yield parsed.values;
    if (parsed.error) throw parsed.error;
  }
  const parsed = parseLines(pending + decoder.decode());
  if (parsed.values.length > 0) yield parsed.values;
  if (parsed.error) throw parsed.error;
}

/**
 * Parses newline-separated JSON values. JSON text never holds a raw newline inside a
 * string, so the lines joined by commas are one JSON array; that fast path is taken only
 * when it gives one value per line. Blank lines, or a line that is not one JSON value,
 * take the line-by-line path, which stops at the first bad line.
 */
function parseLines(text: string): { values: unknown[]; error?: SyntaxError } {
  let lines = 1;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) lines++;
  try {
    const values = JSON.parse(`[${text.replaceAll("\n", ",")}]`) as unknown[];
    if (values.length === lines) return { values };
  } catch {
    // Fall through: find the bad line, keep the good ones before it.
  }
  const values: unknown[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      return { values, error: error as SyntaxError };
    }
  }
  return { values };
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

  /**
   * `open` starts the request with the given signal and resolves with the NDJSON answer.
   * `rows`: `"objects"` (the default) yields each row keyed by column name, `"arrays"`
   * the row's values in column order, as sent.
   */
  constructor(open: (signal: AbortSignal) => Promise<Response>, signal?: AbortSignal, options: { rows?: "objects" | "arrays" } = {}) {
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
    this.#rows = readRows<R>(opening, combined, summary, options.rows === "arrays");
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
  batches: AsyncGenerator<unknown[]>;
  /** The values of the first batch after the columns line. */
  first: unknown[];
  columns: Column[];
  names: string[];
}

/** Waits for the answer and its first line, so `columns` resolves before anyone iterates. */
async function openRows(answer: Promise<Response>): Promise<Opened> {
  const response = await answer;
  if (!response.body) throw broken("the answer has no body", response);
  const batches = ndjsonBatches(response.body);
  try {
    const first = await batches.next();
    const head = first.done ? undefined : first.value[0];
    const columns = (head as { columns?: Column[] } | undefined)?.columns;
    if (!Array.isArray(columns)) throw (head === undefined ? undefined : fail(head, response)) ?? broken("the first line has no columns", response);
    return { response, batches, first: (first.value as unknown[]).slice(1), columns, names: columns.map((column) => column.name) };
  } catch (error) {
    await batches.return(undefined).catch(() => {});
    throw asFailure(error, response);
  }
}

async function* readRows<R>(
  opening: Promise<Opened>,
  signal: AbortSignal,
  summary: Resolvers<QuerySummary>,
  arrays: boolean,
): AsyncGenerator<R> {
  let opened: Opened | undefined;
  let rowCount = 0;
  try {
    opened = await opening;
    const { response, batches, names } = opened;
    for (let batch: unknown[] | undefined = opened.first; batch; batch = (await batches.next()).value ?? undefined) {
      for (const line of batch) {
        if (Array.isArray(line)) {
          rowCount++;
          yield (arrays ? line : toRow(names, line as JsonValue[])) as R;
          continue;
        }
        const failure = fail(line, response);
        if (failure) throw failure;
        const end = line as Partial<QuerySummary>;
        summary.resolve({ rowCount: end.rowCount ?? rowCount, truncated: end.truncated === true });
        return;
      }
    }
    throw broken(`the stream ended after ${rowCount} rows without its summary line`, response);
  } catch (error) {
    const failure = error instanceof OutpostError ? error : asFailure(error, opened?.response, signal);
    summary.reject(failure);
    throw failure;
  } finally {
    // Reached on break/return too: stop the transfer so the agent cancels the query.
    await opened?.batches.return(undefined).catch(() => {});
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
