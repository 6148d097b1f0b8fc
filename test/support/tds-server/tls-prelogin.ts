/**
 * @module
 * TDS 7.x encryption as tedious speaks it: after PRELOGIN says ENCRYPT_ON, the TLS
 * handshake records travel inside PRELOGIN (0x12) messages — one server message answers
 * each client message — and once the handshake is done the socket carries raw TLS.
 * The server side of TLS is a real `tls.TLSSocket` over an in-memory duplex pair; this file
 * only decides where its encrypted output goes and when a handshake flight is complete
 * (after ServerHelloDone, and after the record that follows ChangeCipherSpec: TLS 1.2,
 * which is the most tedious negotiates in this mode).
 */
import { Duplex } from "node:stream";
import tls from "node:tls";

/**
 * Two connected in-memory streams: what one writes, the other reads. A write completes only
 * once the other side has room, so backpressure crosses the pair.
 */
export function duplexPair(): [Duplex, Duplex] {
  const waiting = new Map<Duplex, () => void>();
  const make = (peer: () => Duplex) => {
    const side: Duplex = new Duplex({
      read() {
        const resume = waiting.get(side);
        waiting.delete(side);
        resume?.();
      },
      write(chunk: Buffer, _encoding, callback) {
        if (peer().push(chunk)) callback();
        else waiting.set(peer(), () => callback());
      },
      final(callback) { peer().push(null); callback(); },
    });
    return side;
  };
  const a: Duplex = make(() => b);
  const b: Duplex = make(() => a);
  return [a, b];
}

export interface PreloginTlsOptions {
  cert: string;
  key: string;
  /** Sends one PRELOGIN message carrying handshake bytes. */
  sendPrelogin(bytes: Buffer): void;
  /** Sends raw bytes on the socket (after the handshake); false asks to wait for `drain`. */
  sendRaw(bytes: Buffer): boolean;
  /** Resolves when the socket can take more. */
  drained(): Promise<void>;
}

export class PreloginTls {
  /** The decrypted TDS stream: read requests from it, write responses to it. */
  readonly cleartext: tls.TLSSocket;
  readonly #encrypted: Duplex;
  readonly #options: PreloginTlsOptions;
  #flight: Buffer[] = [];
  #records = Buffer.alloc(0);
  #handshake = Buffer.alloc(0);
  #changedCipher = false;
  #done = false;

  constructor(options: PreloginTlsOptions) {
    this.#options = options;
    const [inner, outer] = duplexPair();
    this.#encrypted = outer;
    this.cleartext = new tls.TLSSocket(inner as never, { isServer: true, secureContext: tls.createSecureContext({ cert: options.cert, key: options.key }) });
    this.cleartext.on("error", () => this.cleartext.destroy());
    outer.on("data", (chunk: Buffer) => this.#output(chunk));
  }

  /** Handshake bytes from a client PRELOGIN message. */
  handshake(bytes: Buffer): void {
    this.#encrypted.write(bytes);
  }

  /** Raw TLS bytes from the socket after the handshake. */
  raw(bytes: Buffer): void {
    this.#encrypted.write(bytes);
  }

  get established(): boolean {
    return this.#done;
  }

  #output(chunk: Buffer): void {
    if (this.#done) {
      if (this.#options.sendRaw(chunk)) return;
      this.#encrypted.pause();
      void this.#options.drained().then(() => this.#encrypted.resume());
      return;
    }
    this.#flight.push(chunk);
    this.#records = Buffer.concat([this.#records, chunk]);
    let complete = false;
    while (this.#records.length >= 5) {
      const length = this.#records.readUInt16BE(3);
      if (this.#records.length < 5 + length) break;
      const type = this.#records[0];
      const fragment = this.#records.subarray(5, 5 + length);
      this.#records = this.#records.subarray(5 + length);
      if (type === 20) this.#changedCipher = true;
      else if (type === 21) complete = true;
      else if (type === 22 && this.#changedCipher) complete = this.#done = true;
      else if (type === 22) complete = this.#scanHandshake(fragment) || complete;
    }
    if (!complete) return;
    this.#options.sendPrelogin(Buffer.concat(this.#flight));
    this.#flight = [];
  }

  /** True once ServerHelloDone (handshake type 14) has gone out. */
  #scanHandshake(fragment: Buffer): boolean {
    this.#handshake = Buffer.concat([this.#handshake, fragment]);
    let helloDone = false;
    while (this.#handshake.length >= 4) {
      const length = this.#handshake.readUIntBE(1, 3);
      if (this.#handshake.length < 4 + length) break;
      if (this.#handshake[0] === 14) helloDone = true;
      this.#handshake = this.#handshake.subarray(4 + length);
    }
    return helloDone;
  }
}
