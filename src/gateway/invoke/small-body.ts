/**
 * @module
 * Small JSON answers leave in one write. Streamed through a `Response`, every chunk the
 * agent sent becomes its own chunked-encoding piece — size line, data and CRLF each a TLS
 * record and a syscall, about eight per small query — which made the gateway's own send
 * path its largest cost. A JSON answer is useless to a caller until complete, so holding
 * up to {@link SMALL_BODY_LIMIT} bytes delays nothing; bigger or failing answers continue
 * as a stream from where the gathering stopped (a failure after that cuts the connection).
 */

/** Bytes gathered at most before falling back to streaming. 64 KiB. */
export const SMALL_BODY_LIMIT = 64 * 1024;

export type Gathered = { complete: Uint8Array } | { stream: ReadableStream<Uint8Array> } | { failed: unknown };

/**
 * Reads `body` to its end if it stays under `limit` bytes; else hands back an equivalent
 * stream. A failure while gathering is returned as `failed`: nothing has reached the caller
 * yet, so the caller can still get a proper error answer instead of a cut one. `count`
 * hears the size of every chunk read from `body`, here or later through the returned
 * stream (counting here spares the caller a stream layer of its own). Defaults to none.
 */
export async function gatherSmall(
  body: ReadableStream<Uint8Array>, limit = SMALL_BODY_LIMIT, count: (bytes: number) => void = () => {},
): Promise<Gathered> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size <= limit) {
      const next = await reader.read();
      if (next.done) return { complete: concat(chunks, size) };
      chunks.push(next.value);
      size += next.value.byteLength;
      count(next.value.byteLength);
    }
  } catch (error) {
    return { failed: error };
  }
  return { stream: continued(chunks, reader, count) };
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The part of a stream reader used here (Bun's and Node's reader types differ). */
interface ChunkReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

function continued(prefix: Uint8Array[], reader: ChunkReader, count: (bytes: number) => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const first = prefix.shift();
        if (first) return controller.enqueue(first);
        const next = await reader.read();
        if (next.done || !next.value) return controller.close();
        count(next.value.byteLength);
        controller.enqueue(next.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
