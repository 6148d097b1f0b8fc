/**
 * @module
 * The path users pick today: an OpenSSH server (the "bastion") and, from the private side,
 * `ssh -N -R` forwarding a bastion port to the database — plus a second forward to the
 * private host's own sshd so files can be fetched with `ssh cat` through the same tunnel.
 * Everything lives in a temp folder (own config, throwaway host and client keys, high port);
 * no system configuration is read or changed. Needs Debian `openssh-server` and
 * `openssh-client`; sshd runs as root here, with `UsePAM no` and `StrictModes no`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "../support/ports.ts";
import { now } from "./measure.ts";

export interface SshTunnel {
  /** Bastion port forwarded to the database. */
  dbPort: number;
  /** Bastion port forwarded to the private host's sshd (for `ssh cat`). */
  sshPort: number;
  /** pid of the `ssh -R` client on the private side. */
  clientPid: number;
  /** Milliseconds from spawning `ssh -R` to the forwarded port accepting connections. */
  connectMs: number;
  /** `ssh` argv (without the command) reaching the private host through the tunnel. */
  sshArgv(): string[];
  stop(): Promise<void>;
}

const SSHD = "/usr/sbin/sshd";

async function run(argv: string[]): Promise<void> {
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${argv[0]} failed (${code}): ${err}`);
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await Bun.sleep(5);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** Starts sshd on a free port and opens the reverse tunnel to `targetPort` from the "private" side. */
export async function startSshTunnel(targetPort: number): Promise<SshTunnel> {
  if (!existsSync(SSHD)) throw new Error("sshd not found: `apt-get install -y openssh-server openssh-client` is needed for the benchmark");
  const dir = mkdtempSync(join(tmpdir(), "outpost-bench-ssh-"));
  const hostKey = join(dir, "host_ed25519");
  const clientKey = join(dir, "client_ed25519");
  await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey]);
  writeFileSync(join(dir, "authorized_keys"), await Bun.file(`${clientKey}.pub`).text());
  const sshdPort = await freePort();
  const config = join(dir, "sshd_config");
  writeFileSync(config, [
    `ListenAddress 127.0.0.1`, `HostKey ${hostKey}`, `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`, "UsePAM no", "StrictModes no",
    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
    "AllowTcpForwarding yes", "GatewayPorts no", "MaxSessions 100", "MaxStartups 100", "LogLevel ERROR", "",
  ].join("\n"));
  // sshd refuses to start without its privilege-separation folder; Debian creates it only from systemd.
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const sshd = Bun.spawn([SSHD, "-f", config, "-D", "-e", "-p", String(sshdPort)], { stdout: "ignore", stderr: "pipe" });
  await waitForPort(sshdPort);

  const common = ["-i", clientKey, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"];
  const dbPort = await freePort();
  const sshPort = await freePort();
  const started = now();
  const client: Subprocess = Bun.spawn(["ssh", "-N", "-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=15",
    "-R", `${dbPort}:127.0.0.1:${targetPort}`, "-R", `${sshPort}:127.0.0.1:${sshdPort}`,
    "-p", String(sshdPort), ...common, "root@127.0.0.1"], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  await waitForPort(dbPort);
  const connectMs = now() - started;
  return {
    dbPort,
    sshPort,
    clientPid: client.pid,
    connectMs,
    sshArgv: () => ["ssh", "-p", String(sshPort), ...common, "root@127.0.0.1"],
    async stop() {
      client.kill("SIGTERM");
      sshd.kill("SIGTERM");
      await Promise.all([client.exited, sshd.exited]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
