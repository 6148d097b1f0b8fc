/**
 * @module
 * An `https://` proxy for tests: Debian's stunnel4 terminating TLS (with a certificate from
 * its own "Proxy CA") in front of a plain HTTP CONNECT proxy.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestCa, type TestCa } from "../../support/certs.ts";
import { freePort } from "../../support/ports.ts";
import { waitFor } from "../../support/stack.ts";
import { accepts } from "./tinyproxy.ts";

export interface TlsFront {
  readonly port: number;
  /** The CA that signed the front's certificate (for `localhost`). */
  readonly ca: TestCa;
  stop(): Promise<void>;
}

/** Accepts TLS on a free port and forwards the plain bytes to `127.0.0.1:backendPort`. */
export async function startTlsFront(backendPort: number): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), "outpost-stunnel-"));
  const ca = createTestCa("Proxy CA");
  const cert = ca.issue("proxy");
  const port = await freePort();
  const config = join(dir, "stunnel.conf");
  writeFileSync(config, `foreground = yes\npid =\n[proxy]\naccept = 127.0.0.1:${port}\nconnect = 127.0.0.1:${backendPort}\ncert = ${cert.certPath}\nkey = ${cert.keyPath}\n`);
  const proc = Bun.spawn(["stunnel4", config], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  await waitFor(() => accepts(port), `stunnel to listen on ${port}`);
  return {
    port,
    ca,
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}
