/**
 * @module
 * TDS packet framing for the test server (MS-TDS 2.2.3): an 8-byte header (type, status,
 * big-endian length, spid, packet id, window) in front of at most `packetSize` bytes.
 * `MessageReader` joins packets into messages (status bit EOM ends one) and keeps whether the
 * first packet carried RESETCONNECTION (0x08, MS-TDS 2.2.3.1.2); `ResponseWriter`
 * cuts a response into packets and waits for the socket to drain, so a large result pushes
 * back on the generator exactly as a real server's socket would.
 */

export const PACKET = {
  SQL_BATCH: 0x01,
  RPC: 0x03,
  TABULAR_RESULT: 0x04,
  ATTENTION: 0x06,
  TRANSACTION_MANAGER: 0x0e,
  LOGIN7: 0x10,
  PRELOGIN: 0x12,
} as const;

const HEADER = 8;
const STATUS_EOM = 0x01;
const STATUS_RESETCONNECTION = 0x08;

export interface TdsMessage {
  type: number;
  payload: Buffer;
  /** The client asked for sp_reset_connection before this request runs. */
  reset: boolean;
}

/** Joins incoming bytes into whole messages; `feed` returns the messages completed so far. */
export class MessageReader {
  #pending: Buffer = Buffer.alloc(0);
  #parts: Buffer[] = [];
  #reset = false;

  feed(chunk: Buffer): TdsMessage[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const messages: TdsMessage[] = [];
    while (this.#pending.length >= HEADER) {
      const length = this.#pending.readUInt16BE(2);
      if (this.#pending.length < length) break;
      const type = this.#pending[0]!;
      const status = this.#pending[1]!;
      if (this.#parts.length === 0) this.#reset = (status & STATUS_RESETCONNECTION) !== 0;
      this.#parts.push(this.#pending.subarray(HEADER, length));
      this.#pending = this.#pending.subarray(length);
      if (status & STATUS_EOM) {
        messages.push({ type, payload: Buffer.concat(this.#parts), reset: this.#reset });
        this.#parts = [];
      }
    }
    return messages;
  }
}

/** One packet with its header. */
export function packet(type: number, body: Buffer, last: boolean, id: number): Buffer {
  const header = Buffer.alloc(HEADER);
  header[0] = type;
  header[1] = last ? STATUS_EOM : 0;
  header.writeUInt16BE(HEADER + body.length, 2);
  header[6] = id & 0xff;
  return Buffer.concat([header, body]);
}

/** Where a writer sends bytes: returns false when the caller should wait for `drained`. */
export interface ByteSink {
  write(bytes: Buffer): boolean;
  drained(): Promise<void>;
}

/** Cuts one response message into packets; `end()` sends the last one with EOM. */
export class ResponseWriter {
  readonly #sink: ByteSink;
  readonly #type: number;
  readonly #size: number;
  #buffer: Buffer[] = [];
  #length = 0;
  #id = 1;

  /** `prefix`: tokens that go out first (the reset acknowledgement in front of a request's answer). */
  constructor(sink: ByteSink, options: { type?: number; packetSize?: number; prefix?: Buffer } = {}) {
    this.#sink = sink;
    this.#type = options.type ?? PACKET.TABULAR_RESULT;
    this.#size = (options.packetSize ?? 4096) - HEADER;
    // Small tokens: they wait in the buffer for the first write or `end`.
    if (options.prefix) {
      this.#buffer.push(options.prefix);
      this.#length = options.prefix.length;
    }
  }

  /** Queues token bytes; full packets go out at once, and the promise waits while the socket is full. */
  async write(bytes: Buffer): Promise<void> {
    this.#buffer.push(bytes);
    this.#length += bytes.length;
    let blocked = false;
    while (this.#length > this.#size) {
      const all = Buffer.concat(this.#buffer);
      if (!this.#sink.write(packet(this.#type, all.subarray(0, this.#size), false, this.#id++))) blocked = true;
      this.#buffer = [all.subarray(this.#size)];
      this.#length = all.length - this.#size;
    }
    if (blocked) await this.#sink.drained();
  }

  async end(bytes?: Buffer): Promise<void> {
    if (bytes) this.#buffer.push(bytes);
    const all = Buffer.concat(this.#buffer);
    this.#buffer = [];
    this.#length = 0;
    let offset = 0;
    do {
      const body = all.subarray(offset, offset + this.#size);
      offset += this.#size;
      this.#sink.write(packet(this.#type, body, offset >= all.length, this.#id++));
    } while (offset < all.length);
    await this.#sink.drained();
  }
}
