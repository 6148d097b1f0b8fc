/**
 * @module
 * Reproduces, without any Outpost code, the connection resets the load tests count apart
 * (docs/reliability.md): a bare `Bun.serve` whose CPU is saturated (1.5 ms of work per
 * request) and 1,000 callers dialling in over 2 s. Over TLS, connections whose handshake
 * has not been served within about 10 s are closed by the server (ECONNRESET at the
 * client, 10–15 s after it started); over plain HTTP none are. Run by hand after a Bun
 * upgrade to see whether it still holds (the variable lifts fetch's 256-connection cap):
 *
 *     BUN_CONFIG_MAX_HTTP_REQUESTS=1016 bun test/chaos/support/tls-burst-repro.ts tls   # or: plain
 *
 * Not a test: it measures a runtime's behaviour under overload, which tests must not time.
 */
import { readFileSync } from "node:fs";
import { createTestCa } from "../../support/certs.ts";

const CALLERS = 1000;
const SECONDS = 20;

async function serve(tls?: { cert: string; key: string }): Promise<void> {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 120,
    tls,
    async fetch() {
      const busyUntil = performance.now() + 1.5;
      while (performance.now() < busyUntil);
      await Bun.sleep(5);
      return Response.json({ answer: 42 });
    },
  });
  console.log(server.port);
}

async function call(url: string, ca: string | undefined): Promise<void> {
  const outcomes: Record<string, number> = {};
  const failedAfterMs: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CALLERS }, async (_, index) => {
    await Bun.sleep((2000 * index) / CALLERS);
    while (performance.now() < until) {
      const started = performance.now();
      let outcome: string;
      try {
        outcome = String((await fetch(url, { method: "POST", body: "{}", tls: ca ? { ca } : undefined }).then(async (r) => (await r.text(), r))).status);
      } catch (error) {
        outcome = `error:${(error as { code?: string }).code ?? (error as Error).message}`;
        failedAfterMs.push(Math.round(performance.now() - started));
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  }));
  failedAfterMs.sort((a, b) => a - b);
  console.log(JSON.stringify({ outcomes, failedAfterMs: { min: failedAfterMs[0], max: failedAfterMs.at(-1) } }));
}

const [mode, role, ...rest] = process.argv.slice(2);
if (role === "serve") {
  await serve(rest.length ? { cert: readFileSync(rest[0]!, "utf8"), key: readFileSync(rest[1]!, "utf8") } : undefined);
} else {
  const ca = createTestCa("tls burst repro");
  const leaf = ca.issue("localhost");
  const tls = mode !== "plain";
  const server = Bun.spawn(["bun", import.meta.path, mode ?? "tls", "serve", ...(tls ? [leaf.certPath, leaf.keyPath] : [])], { stdout: "pipe" });
  const port = (await new Response(server.stdout).body!.getReader().read()).value;
  const url = `${tls ? "https://localhost" : "http://127.0.0.1"}:${new TextDecoder().decode(port).trim()}/`;
  await call(url, tls ? ca.certPem : undefined);
  server.kill();
}
