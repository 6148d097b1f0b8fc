import { describe, expect, test } from "bun:test";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import libsodium from "libsodium-wrappers";
import { generateIdentity, readIdentityFile, sign, verify, writeIdentityFile } from "../../src/crypto/identity.ts";

describe("Ed25519 identities", () => {
  test("sign and verify; another key, another message or a changed signature fail", async () => {
    const a = await generateIdentity();
    const b = await generateIdentity();
    expect(Buffer.from(a.publicKey, "base64")).toHaveLength(32);
    const message = new TextEncoder().encode("challenge-123");
    const sig = await sign(a.secretKey, message);
    expect(sig).toHaveLength(64);
    expect(await verify(a.publicKey, message, sig)).toBe(true);
    expect(await verify(b.publicKey, message, sig)).toBe(false);
    expect(await verify(a.publicKey, new TextEncoder().encode("challenge-124"), sig)).toBe(false);
    const bad = new Uint8Array(sig);
    bad[0]! ^= 1;
    expect(await verify(a.publicKey, message, bad)).toBe(false);
    expect(await verify("garbage", message, sig)).toBe(false);
  });

  test("node:crypto signs exactly as libsodium did, and verifies libsodium's signatures", async () => {
    await libsodium.ready;
    for (const text of ["", "challenge-123", "x".repeat(10_000)]) {
      const pair = await generateIdentity();
      const message = new TextEncoder().encode(text);
      const theirs = libsodium.crypto_sign_detached(message, Buffer.from(pair.secretKey, "base64"));
      expect(Buffer.from(await sign(pair.secretKey, message)).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));
      expect(await verify(pair.publicKey, message, theirs)).toBe(true);
    }
  });

  test("signatures are standard Ed25519: OpenSSL verifies them", async () => {
    const id = await generateIdentity();
    const dir = mkdtempSync(join(tmpdir(), "outpost-id-"));
    const message = new TextEncoder().encode("hello gateway");
    writeFileSync(join(dir, "msg"), message);
    writeFileSync(join(dir, "sig"), await sign(id.secretKey, message));
    // SubjectPublicKeyInfo DER for Ed25519 = fixed 12-byte prefix + 32-byte key.
    const der = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(id.publicKey, "base64")]);
    writeFileSync(join(dir, "pub.der"), der);
    const result = Bun.spawnSync(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", join(dir, "pub.der"), "-keyform", "DER", "-rawin", "-in", join(dir, "msg"), "-sigfile", join(dir, "sig")]);
    expect(result.stdout.toString()).toContain("Signature Verified Successfully");
  });

  test("identity file: 0600, round trip, and clear errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outpost-id-"));
    const path = join(dir, "identity.json");
    const pair = await generateIdentity();
    const identity = { agentId: "agt_1", gateway: "wss://gw:443", ...pair, createdAt: new Date(0).toISOString() };
    writeIdentityFile(path, identity);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readIdentityFile(path)).toEqual(identity);
    writeFileSync(path, JSON.stringify({ ...identity, publicKey: "AAAA" }));
    expect(() => readIdentityFile(path)).toThrow(expect.objectContaining({ code: "IDENTITY_INVALID" }));
    expect(() => readIdentityFile(join(dir, "none.json"))).toThrow(expect.objectContaining({ code: "IDENTITY_INVALID", message: expect.stringContaining("ENOENT") }));
  });
});
