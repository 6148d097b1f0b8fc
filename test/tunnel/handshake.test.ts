/**
 * The HELLO exchange with real Ed25519 keys (node:crypto stands in for the crypto room):
 * success hands the connection to a session without losing frames; a bad signature, a
 * signature over an old challenge, another gateway host and an unsupported version are
 * refused with their close codes.
 */
import { describe, expect, test } from "bun:test";
import { generateKeyPairSync, sign as edSign, verify as edVerify, createPublicKey, type KeyObject } from "node:crypto";
import {
  CloseCode, authTranscript, decodeBase64, decodeFrame, decodeHello, encodeBase64, encodeHello,
  type AgentAuth, type AgentInfo, type GatewayHello,
} from "../../src/protocol/index.ts";
import { attachSession } from "../../src/tunnel/attach.ts";
import type { Connection } from "../../src/tunnel/connection.ts";
import { TunnelError } from "../../src/tunnel/errors.ts";
import { agentHandshake, gatewayHandshake, type GatewayHandshakeOptions } from "../../src/tunnel/handshake.ts";
import { createMemoryPair } from "../../src/tunnel/memory-connection.ts";
import { createWebSocketPair } from "./support/links.ts";

const info: AgentInfo = { version: "0.1.0", hostname: "box", pid: 1, user: "svc", os: "linux", arch: "x64", profiles: [] };
const HOST = "gateway.test:8443";

function identity() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { privateKey, publicKeyB64: encodeBase64(raw) };
}

function spkiFromRaw(raw: Uint8Array): KeyObject {
  const prefix = Buffer.from("302a300506032b6570032100", "hex");
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: "der", type: "spki" });
}

/** The gateway's registry in miniature: one agent id with one public key. */
function verifier(agentId: string, publicKeyB64: string): GatewayHandshakeOptions["verify"] {
  return async (id, publicKey, transcript, signature) => {
    if (id !== agentId) return { ok: false, closeCode: CloseCode.UNKNOWN_AGENT, reason: "unknown agent" };
    if (publicKey !== publicKeyB64 || !edVerify(null, transcript, spkiFromRaw(decodeBase64(publicKey)), signature)) {
      return { ok: false, closeCode: CloseCode.BAD_SIGNATURE, reason: "bad signature" };
    }
    return { ok: true };
  };
}

async function closeCodeOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(TunnelError);
    return (error as TunnelError).closeCode;
  }
}

/** Reads the next raw message on a connection (to play a hand-written agent). */
function nextMessage(connection: Connection): Promise<Uint8Array> {
  return new Promise((resolve) => connection.listen({ message: (data) => { connection.listen(undefined); resolve(data); }, close() {} }));
}

describe("handshake", () => {
  const me = identity();
  const gatewayOptions = { hosts: [HOST], verify: verifier("agt_1", me.publicKeyB64) };
  const agentOptions = {
    agentId: "agt_1", publicKey: me.publicKeyB64, host: HOST, info,
    sign: (transcript: Uint8Array) => new Uint8Array(edSign(null, transcript, me.privateKey)),
  };

  test("succeeds over TLS WebSocket and hands frames to the session", async () => {
    const pair = await createWebSocketPair();
    try {
      const [gw, ag] = await Promise.all([gatewayHandshake(pair.gateway, gatewayOptions), agentHandshake(pair.agent, agentOptions)]);
      expect(gw.auth.agentId).toBe("agt_1");
      expect(gw.auth.info).toEqual(info);
      expect(ag.sessionId).toBe(gw.sessionId);
      expect(ag.maxFrame).toBe(gw.maxFrame);
      const gateway = attachSession(pair.gateway, { role: "gateway", keepalive: ag.keepalive, maxFrameSize: gw.maxFrame });
      // The OPEN goes out before the agent's session exists; it must wait queued, not vanish.
      const stream = gateway.open({ op: "echo", profile: "p", args: {}, requestId: "r", deadline: 0 });
      await stream.end();
      await Bun.sleep(20);
      const agent = attachSession(pair.agent, {
        role: "agent", keepalive: ag.keepalive, maxFrameSize: ag.maxFrame,
        onStream: (s) => void s.writeReplyHead({ ok: true }).then(() => s.end()),
      });
      const { head } = await stream.readReplyHead();
      expect(head).toEqual({ ok: true });
      gateway.close();
      agent.close();
    } finally {
      pair.stop();
    }
  });

  test("refuses a bad signature with 4005", async () => {
    const pair = createMemoryPair();
    const other = identity();
    const sign = (t: Uint8Array) => new Uint8Array(edSign(null, t, other.privateKey));
    const [gw, ag] = await Promise.all([
      closeCodeOf(gatewayHandshake(pair.gateway, gatewayOptions)),
      closeCodeOf(agentHandshake(pair.agent, { ...agentOptions, sign })),
    ]);
    expect(gw).toBe(CloseCode.BAD_SIGNATURE);
    expect(ag).toBe(CloseCode.BAD_SIGNATURE);
  });

  test("refuses a signature over an old challenge (replay) with 4005", async () => {
    // A first, genuine exchange whose auth message an attacker records.
    const first = createMemoryPair();
    const recorded = nextMessage(first.gateway).then((hello) => decodeHello(decodeFrame(hello).payload) as GatewayHello);
    void gatewayHandshake(first.agent, gatewayOptions).catch(() => {});
    const oldChallenge = decodeBase64((await recorded).challenge);
    const replayed: AgentAuth = {
      kind: "auth", version: 1, agentId: "agt_1", host: HOST, publicKey: me.publicKeyB64, maxFrame: 65536, info,
      signature: encodeBase64(edSign(null, authTranscript(oldChallenge, HOST, "agt_1"), me.privateKey)),
    };
    // Replayed on a new connection, which carries a fresh challenge.
    const second = createMemoryPair();
    const refused = closeCodeOf(gatewayHandshake(second.gateway, gatewayOptions));
    await nextMessage(second.agent);
    second.agent.transport.send(encodeHello(replayed));
    expect(await refused).toBe(CloseCode.BAD_SIGNATURE);
  });

  test("refuses a signature made for another gateway host", async () => {
    const pair = createMemoryPair();
    const [gw] = await Promise.all([
      closeCodeOf(gatewayHandshake(pair.gateway, gatewayOptions)),
      closeCodeOf(agentHandshake(pair.agent, { ...agentOptions, host: "evil.example" })),
    ]);
    expect(gw).toBe(CloseCode.BAD_SIGNATURE);
  });

  test("refuses an unknown agent with 4001, not retryable", async () => {
    const pair = createMemoryPair();
    const [, error] = await Promise.all([
      gatewayHandshake(pair.gateway, gatewayOptions).catch(() => {}),
      agentHandshake(pair.agent, { ...agentOptions, agentId: "agt_2" }).catch((e: TunnelError) => e),
    ]);
    expect((error as TunnelError).closeCode).toBe(CloseCode.UNKNOWN_AGENT);
    expect((error as TunnelError).retryable).toBe(false);
  });

  test("closes with 4010 when no version is shared", async () => {
    const pair = createMemoryPair();
    const [gw, ag] = await Promise.all([
      closeCodeOf(gatewayHandshake(pair.gateway, { ...gatewayOptions, versions: [2] })),
      closeCodeOf(agentHandshake(pair.agent, agentOptions)),
    ]);
    expect(ag).toBe(CloseCode.UNSUPPORTED_VERSION);
    expect(gw).toBe(CloseCode.UNSUPPORTED_VERSION);
  });

  test("closes with 4000 on a malformed hello and on silence", async () => {
    const pair = createMemoryPair();
    const refused = closeCodeOf(gatewayHandshake(pair.gateway, gatewayOptions));
    await nextMessage(pair.agent);
    pair.agent.transport.send(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 123, 125]));
    expect(await refused).toBe(CloseCode.HANDSHAKE_FAILED);

    const silent = createMemoryPair();
    expect(await closeCodeOf(gatewayHandshake(silent.gateway, { ...gatewayOptions, timeoutMs: 30 }))).toBe(CloseCode.HANDSHAKE_FAILED);
  });
});
