/**
 * @module
 * One client connection of the test server: PRELOGIN (optionally TLS inside PRELOGIN),
 * LOGIN7, then requests in order — SQL batches, RPC (sp_executesql and procedures),
 * transaction manager requests — with ATTENTION handled out of band: it aborts the running
 * request, whose response is ended, and is acknowledged by its own DONE(ATTN) message.
 * A request with the RESETCONNECTION bit first runs sp_reset_connection on the session's
 * state (or fails, when the test set `server.resetError`), then the request itself.
 */
import type { Socket } from "node:net";
import type { Answer, ProcedureAnswer, QueryContext, SessionInfo } from "./answers.ts";
import { MessageReader, PACKET, packet, ResponseWriter, type ByteSink, type TdsMessage } from "./packets.ts";
import { parseLogin7, parseRpc, parseSqlBatch, parseTransactionRequest, preloginEncryption, type RpcParam } from "./requests.ts";
import type { TdsServer } from "./server.ts";
import { freshState } from "./session-state.ts";
import { PreloginTls } from "./tls-prelogin.ts";
import * as token from "./tokens.ts";

const PRELOGIN_ANSWER = (encrypt: number) => {
  const options = [[0x00, Buffer.from([16, 0, 0x07, 0xd0, 0, 0])], [0x01, Buffer.from([encrypt])], [0x02, Buffer.from([0])], [0x04, Buffer.from([0])]] as const;
  const head = Buffer.alloc(options.length * 5 + 1);
  let dataOffset = head.length;
  options.forEach(([kind, data], i) => {
    head[i * 5] = kind;
    head.writeUInt16BE(dataOffset, i * 5 + 1);
    head.writeUInt16BE(data.length, i * 5 + 3);
    dataOffset += data.length;
  });
  head[head.length - 1] = 0xff;
  return Buffer.concat([head, ...options.map(([, data]) => data)]);
};

export class TdsSession {
  readonly #server: TdsServer;
  readonly #socket: Socket;
  readonly #reader = new MessageReader();
  #tls: PreloginTls | undefined;
  #output: { write(b: Buffer): boolean; writableNeedDrain: boolean; once(e: "drain", f: () => void): unknown };
  #chain: Promise<void> = Promise.resolve();
  #current: AbortController | undefined;
  #attention = false;
  #info: { -readonly [K in keyof SessionInfo]: SessionInfo[K] } = { id: 0, user: "", database: "", transaction: undefined, state: freshState(), resets: [], ended: false };
  /** ENVCHANGE tokens of a reset, sent in front of the answer to the request that asked for it. */
  #resetAck: Buffer | undefined;

  constructor(server: TdsServer, socket: Socket, id: number) {
    this.#server = server;
    this.#socket = socket;
    this.#output = socket;
    this.#info.id = id;
    server.sessions.push(this.#info);
    socket.on("data", (chunk: Buffer) => (this.#tls?.established ? this.#tls.raw(chunk) : this.#feed(chunk)));
    socket.on("error", () => socket.destroy());
    // A connection that drops with a transaction open rolls it back, as on a real server.
    socket.on("close", () => {
      this.#info.ended = true;
      if (this.#info.transaction === undefined) return;
      this.#info.transaction = undefined;
      this.#server.emitTransaction("rollback", this.#info);
    });
  }

  readonly #sink: ByteSink = {
    write: (bytes) => this.#output.write(bytes),
    drained: () => {
      if (!this.#output.writableNeedDrain) return Promise.resolve();
      this.#server.stats.blockedWrites++;
      this.#server.stats.waitingForDrain = true;
      return new Promise((resolve) => {
        this.#output.once("drain", () => {
          this.#server.stats.waitingForDrain = false;
          resolve();
        });
      });
    },
  };

  #feed(chunk: Buffer): void {
    for (const message of this.#reader.feed(chunk)) {
      if (message.type === PACKET.ATTENTION) {
        this.#server.stats.attentions++;
        this.#attention = true;
        this.#current?.abort();
        this.#chain = this.#chain.then(() => this.#acknowledgeAttention()).catch(() => {
          this.#socket.destroy();
        });
        continue;
      }
      this.#chain = this.#chain.then(() => this.#handle(message)).catch(() => {
        this.#socket.destroy();
      });
    }
  }

  async #handle(message: TdsMessage): Promise<void> {
    if (message.type === PACKET.SQL_BATCH || message.type === PACKET.RPC || message.type === PACKET.TRANSACTION_MANAGER) {
      this.#info.resets.push(message.reset);
      if (message.reset && !(await this.#reset())) return;
    }
    switch (message.type) {
      case PACKET.PRELOGIN: return this.#prelogin(message.payload);
      case PACKET.LOGIN7: return this.#login(message.payload);
      case PACKET.SQL_BATCH: return this.#request((signal) => this.#batch(parseSqlBatch(message.payload), signal));
      case PACKET.RPC: return this.#request((signal) => this.#rpc(message.payload, signal));
      case PACKET.TRANSACTION_MANAGER: return this.#transaction(message.payload);
    }
  }

  #prelogin(payload: Buffer): void {
    if (this.#tls) return this.#tls.handshake(payload);
    const wanted = preloginEncryption(payload);
    const tls = this.#server.options.tls;
    const encrypt = tls && (wanted === 1 || wanted === 3) ? 1 : 2;
    this.#socket.write(packet(PACKET.TABULAR_RESULT, PRELOGIN_ANSWER(encrypt), true, 1));
    if (encrypt !== 1 || !tls) return;
    this.#tls = new PreloginTls({
      ...tls,
      sendPrelogin: (bytes) => this.#socket.write(packet(PACKET.PRELOGIN, bytes, true, 1)),
      sendRaw: (bytes) => this.#socket.write(bytes),
      drained: () => new Promise((resolve) => {
        if (this.#socket.writableNeedDrain) this.#socket.once("drain", () => resolve());
        else resolve();
      }),
    });
    this.#server.stats.tlsSessions++;
    this.#output = this.#tls.cleartext;
    this.#tls.cleartext.on("data", (chunk: Buffer) => this.#feed(chunk));
  }

  async #login(payload: Buffer): Promise<void> {
    const login = parseLogin7(payload);
    const writer = new ResponseWriter(this.#sink);
    if (this.#server.options.users[login.user] !== login.password) {
      this.#server.stats.failedLogins++;
      await writer.end(Buffer.concat([token.error(18456, `Login failed for user '${login.user}'.`, { severity: 14 }), token.done({ status: token.DONE_STATUS.ERROR })]));
      return;
    }
    this.#server.stats.logins++;
    this.#info.user = login.user;
    this.#info.database = login.database || "master";
    await writer.end(Buffer.concat([token.envDatabase(this.#info.database), token.envCollation(), token.loginAck(), token.envPacketSize(4096), token.done()]));
  }

  /** Runs one request with the signal ATTENTION aborts (already aborted if it came first). */
  async #request(run: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const controller = new AbortController();
    if (this.#attention) controller.abort();
    this.#current = controller;
    try {
      await run(controller.signal);
    } finally {
      this.#current = undefined;
    }
  }

  /** sp_reset_connection: false when the test made it fail (the request is answered with the error and not run). */
  async #reset(): Promise<boolean> {
    this.#server.stats.resets++;
    await this.#server.holdResets;
    const refused = this.#server.resetError;
    if (refused) {
      await new ResponseWriter(this.#sink).end(Buffer.concat([token.error(refused.number, refused.message), token.done({ status: token.DONE_STATUS.ERROR })]));
      return false;
    }
    const acks = [token.envResetAck()];
    if (this.#info.transaction !== undefined) {
      acks.unshift(token.envRollbackTransaction(Buffer.from(this.#info.transaction, "hex")));
      this.#info.transaction = undefined;
      this.#server.stats.transactions.rollback++;
      this.#server.emitTransaction("rollback", this.#info);
    }
    this.#info.state = freshState();
    this.#resetAck = Buffer.concat(acks);
    return true;
  }

  /** A writer for the current request's answer, with a pending reset acknowledgement in front. */
  #writer(): ResponseWriter {
    const prefix = this.#resetAck;
    this.#resetAck = undefined;
    return new ResponseWriter(this.#sink, { prefix });
  }

  async #acknowledgeAttention(): Promise<void> {
    this.#attention = false;
    await new ResponseWriter(this.#sink).end(token.done({ status: token.DONE_STATUS.ATTENTION }));
  }

  async #batch(sql: string, signal: AbortSignal): Promise<void> {
    this.#server.sql.push(sql);
    this.#server.stats.batches++;
    await this.#answer(sql, [], signal, false);
  }

  async #rpc(payload: Buffer, signal: AbortSignal): Promise<void> {
    const call = parseRpc(payload);
    this.#server.stats.rpcs++;
    if (call.procedure === "sp_executesql") {
      const [statement, , ...params] = call.params;
      const sql = String(statement?.value ?? "");
      this.#server.sql.push(sql);
      this.#server.params.push(params);
      return this.#answer(sql, params, signal, true);
    }
    this.#server.procedures.push(call);
    const handler = this.#server.procedureHandler(call.procedure);
    const writer = this.#writer();
    if (!handler) {
      return writer.end(Buffer.concat([token.error(2812, `Could not find stored procedure '${call.procedure}'.`), token.done({ token: 0xfe, status: token.DONE_STATUS.ERROR })]));
    }
    const answer: ProcedureAnswer = await handler({ params: call.params, session: this.#info, signal });
    if (answer.error) {
      return writer.end(Buffer.concat([token.error(answer.error.number, answer.error.message), token.done({ token: 0xfe, status: token.DONE_STATUS.ERROR })]));
    }
    for (const set of answer.resultSets ?? []) {
      await writer.write(token.colMetadata(set.columns));
      for (const values of set.rows) await writer.write(token.row(set.columns, values));
      await writer.write(token.done({ token: 0xff, status: token.DONE_STATUS.MORE, count: set.rows.length }));
    }
    await writer.write(token.returnStatus(answer.returnStatus ?? 0));
    const outputs = call.params.filter((p) => p.output);
    for (const param of outputs) {
      const spec = answer.outputs?.[param.name] ?? { type: "int" as const, value: null };
      await writer.write(token.returnValue(call.params.indexOf(param), param.name, { name: param.name, type: spec.type, scale: spec.scale }, spec.value));
    }
    await writer.end(token.done({ token: 0xfe }));
  }

  /** Runs a statement's handler and writes its answers; `inProc` for sp_executesql (DONEINPROC ... DONEPROC). */
  async #answer(sql: string, list: RpcParam[], signal: AbortSignal, inProc: boolean): Promise<void> {
    const writer = this.#writer();
    const found = this.#server.queryHandler(sql);
    const params = Object.fromEntries(list.map((p) => [p.name, p.value]));
    let answers: Answer[];
    if (!found) answers = [{ error: { number: 102, message: `Incorrect syntax near '${sql.trim().split(/\s+/).pop() ?? ""}'.`, severity: 15 } }];
    else {
      const ctx: QueryContext = { sql, params, list, match: found.match, session: this.#info, signal };
      try {
        const result = await found.handler(ctx);
        answers = Array.isArray(result) ? result : [result];
      } catch (error) {
        answers = [{ error: { number: 50000, message: (error as Error).message } }];
      }
    }
    const end = inProc ? 0xff : 0xfd;
    let failed = false;
    for (const answer of answers) {
      if (signal.aborted) break;
      if ("error" in answer) {
        failed = true;
        await writer.write(Buffer.concat([token.error(answer.error.number, answer.error.message, { severity: answer.error.severity }), token.done({ token: end, status: token.DONE_STATUS.ERROR | token.DONE_STATUS.MORE })]));
        break;
      }
      if ("waitForCancel" in answer) {
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
        break;
      }
      if ("ok" in answer) continue;
      if ("rowsAffected" in answer) {
        await writer.write(token.done({ token: end, status: token.DONE_STATUS.MORE, count: answer.rowsAffected, command: answer.command ?? 0xc3 }));
        continue;
      }
      await writer.write(token.colMetadata(answer.columns));
      let count = 0;
      for await (const values of answer.rows) {
        if (signal.aborted) break;
        await writer.write(token.row(answer.columns, values));
        count++;
        this.#server.stats.rowsSent++;
      }
      await writer.write(token.done({ token: end, status: token.DONE_STATUS.MORE, count }));
    }
    if (inProc) await writer.write(token.returnStatus(failed ? -6 : 0));
    await writer.end(token.done({ token: inProc ? 0xfe : 0xfd, status: failed ? token.DONE_STATUS.ERROR : 0 }));
  }

  async #transaction(payload: Buffer): Promise<void> {
    const kind = parseTransactionRequest(payload);
    const writer = this.#writer();
    const stats = this.#server.stats.transactions;
    if (kind === "begin") {
      const descriptor = crypto.getRandomValues(Buffer.alloc(8));
      this.#info.transaction = descriptor.toString("hex");
      stats.begin++;
      this.#server.emitTransaction("begin", this.#info);
      return writer.end(Buffer.concat([token.envBeginTransaction(descriptor), token.done()]));
    }
    const descriptor = Buffer.from(this.#info.transaction ?? "0000000000000000", "hex");
    this.#info.transaction = undefined;
    if (kind === "commit") stats.commit++;
    else stats.rollback++;
    this.#server.emitTransaction(kind === "commit" ? "commit" : "rollback", this.#info);
    const change = kind === "commit" ? token.envCommitTransaction(descriptor) : token.envRollbackTransaction(descriptor);
    return writer.end(Buffer.concat([change, token.done()]));
  }

  close(): void {
    this.#socket.destroy();
    this.#tls?.cleartext.destroy();
  }
}
