import { describe, expect, test } from "bun:test";
import { CryptoError } from "../../src/crypto/errors.ts";
import { decryptValue, encryptValue } from "../../src/crypto/secretbox.ts";

const key = new Uint8Array(32).fill(3);
const otherKey = new Uint8Array(32).fill(4);

function codeOf(promise: Promise<unknown>) {
  return promise.then(
    () => "no error",
    (error: CryptoError) => error.code,
  );
}

describe("secretbox values", () => {
  test("round trip, fresh nonce each time, unicode kept", async () => {
    const a = await encryptValue("pässwörd ✓", key);
    const b = await encryptValue("pässwörd ✓", key);
    expect(a).toStartWith("ov1:");
    expect(a).not.toBe(b);
    expect(await decryptValue(a, key)).toBe("pässwörd ✓");
    expect(await decryptValue(b, key)).toBe("pässwörd ✓");
  });

  test("wrong key, tampering, truncation and garbage have distinct codes; messages hold no plaintext", async () => {
    const text = await encryptValue("hunter2", key);
    expect(await codeOf(decryptValue(text, otherKey))).toBe("WRONG_KEY_OR_TAMPERED");
    const bytes = Buffer.from(text.slice(4), "base64");
    bytes[30]! ^= 0x80;
    expect(await codeOf(decryptValue("ov1:" + bytes.toString("base64"), key))).toBe("WRONG_KEY_OR_TAMPERED");
    expect(await codeOf(decryptValue(text.slice(0, 30), key))).toBe("MALFORMED");
    expect(await codeOf(decryptValue("ov2:" + text.slice(4), key))).toBe("MALFORMED");
    expect(await codeOf(decryptValue("ov1:not base64!", key))).toBe("MALFORMED");
    expect(await codeOf(decryptValue(text, new Uint8Array(16)))).toBe("KEY_INVALID");
    const error = await decryptValue(text, otherKey).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain("hunter2");
  });
});
