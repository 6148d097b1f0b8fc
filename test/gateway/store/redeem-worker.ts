/** @module Test helper run as a separate process: redeems one activation code and prints the outcome. */
import { SqliteGatewayStore } from "../../../src/gateway/store/sqlite-store.ts";

const [path, codeHash, publicKey] = process.argv.slice(2) as [string, string, string];
const store = new SqliteGatewayStore({ path });
// Every worker waits for the same start time so the redemptions really overlap.
const startAt = Number(process.env.START_AT);
while (Date.now() < startAt) await Bun.sleep(1);
const result = await store.redeemActivationCode({ codeHash, publicKey });
await store.close();
process.stdout.write(JSON.stringify({ ok: result.ok, reason: result.ok ? undefined : result.reason }));
