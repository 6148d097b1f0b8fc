/**
 * @module
 * A real HTTP CONNECT proxy for tests: Debian's `tinyproxy` run in the foreground with a
 * generated config (Basic auth, loopback only, CONNECT allowed to the given ports) on a
 * free port. Its log file shows every CONNECT, which is how tests prove a connection went
 * through it. It can be stopped and started again on the same port.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "../../support/ports.ts";
import { waitFor } from "../../support/stack.ts";

export interface TinyproxyOptions {
  username: string;
  password: string;
  /** Ports CONNECT may reach (tinyproxy refuses others with 403). */
  connectPorts: number[];
}

export interface Tinyproxy {
  readonly port: number;
  /** `http://user:pass@127.0.0.1:port`; other credentials when given. */
  url(username?: string, password?: string): string;
  /** CONNECT requests logged so far for `host:port`. */
  connects(target: string): number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startTinyproxy(options: TinyproxyOptions): Promise<Tinyproxy> {
  const dir = mkdtempSync(join(tmpdir(), "outpost-tinyproxy-"));
  const port = await freePort();
  const logFile = join(dir, "tinyproxy.log");
  const configFile = join(dir, "tinyproxy.conf");
  writeFileSync(configFile, [
    `Port ${port}`, "Listen 127.0.0.1", "Timeout 600", "MaxClients 100", "LogLevel Connect",
    `LogFile "${logFile}"`, "Allow 127.0.0.1", `BasicAuth ${options.username} ${options.password}`,
    ...options.connectPorts.map((p) => `ConnectPort ${p}`), "",
  ].join("\n"));
  let proc: Subprocess | undefined;
  const proxy: Tinyproxy = {
    port,
    url: (username = options.username, password = options.password) => `http://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    connects: (target) => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "").split("\n").filter((line) => line.includes(`CONNECT ${target} `)).length,
    async start() {
      proc = Bun.spawn(["tinyproxy", "-d", "-c", configFile], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
      await waitFor(() => accepts(port), `tinyproxy to listen on ${port}`);
    },
    async stop() {
      proc?.kill("SIGKILL");
      await proc?.exited;
      proc = undefined;
    },
  };
  await proxy.start();
  return proxy;
}

/** Whether something accepts TCP connections on the loopback port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}
