/**
 * @module
 * A real HTTP CONNECT proxy for tests: Debian's `tinyproxy` run in the foreground with a
 * generated config (Basic auth, loopback only, CONNECT allowed to the given ports) on a
 * free port. Its log file shows every CONNECT, which is how tests prove a connection went
 * through it. It can be stopped and started again on the same port.
 *
 * With `hosts`, tinyproxy runs in a mount namespace of its own whose /etc/hosts names
 * them: host names only the proxy can resolve, so a client that bypasses it fails.
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
  /** Extra host names (name → IP) that only the proxy resolves. Needs root (`unshare -m`). */
  hosts?: Record<string, string>;
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
  const command = options.hosts ? withHosts(dir, options.hosts, configFile) : ["tinyproxy", "-d", "-c", configFile];
  let proc: Subprocess | undefined;
  const proxy: Tinyproxy = {
    port,
    url: (username = options.username, password = options.password) => `http://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    connects: (target) => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "").split("\n").filter((line) => line.includes(`CONNECT ${target} `)).length,
    async start() {
      proc = Bun.spawn(command, { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
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

/** tinyproxy in a mount namespace whose /etc/hosts adds `hosts`; `exec` keeps the pid, so stop() kills tinyproxy itself. */
function withHosts(dir: string, hosts: Record<string, string>, configFile: string): string[] {
  const hostsFile = join(dir, "hosts");
  const lines = Object.entries(hosts).map(([name, ip]) => `${ip} ${name}`);
  writeFileSync(hostsFile, [readFileSync("/etc/hosts", "utf8"), ...lines, ""].join("\n"));
  return ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec tinyproxy -d -c "$1"', hostsFile, configFile];
}

/** Whether something accepts TCP connections on the loopback port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}
