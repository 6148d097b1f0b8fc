/**
 * @module
 * Real releases for the upgrade and install tests: a throwaway release key, binaries
 * compiled by build/build.ts that trust it, release folders written by build/release.ts,
 * and a loopback static file server (the same thing a mirror is).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadReleaseKey, signBytes, type ReleaseKey } from "../../build/release-sign.ts";
import { findTarget } from "../../build/targets.ts";

export const REPO = resolve(import.meta.dir, "../..");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment without OUTPOST_* and proxy variables, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.startsWith("OUTPOST_") || /_proxy$/i.test(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

export async function run(cmd: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: Uint8Array } = {}): Promise<RunResult> {
  const child = Bun.spawn(cmd, { cwd: options.cwd ?? REPO, env: options.env ?? cleanEnv(), stdin: options.stdin ?? "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

async function ok(cmd: string[]): Promise<RunResult> {
  const result = await run(cmd);
  if (result.code !== 0) throw new Error(`${cmd.join(" ")} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh release key in `dir`; returns it and its file. */
export async function makeKey(dir: string, name = "release.key"): Promise<ReleaseKey & { file: string }> {
  const file = join(dir, name);
  await ok(["bun", join(REPO, "build/release.ts"), "--generate-key", file]);
  return { ...loadReleaseKey(file), file };
}

/** Compiles the CLI for `target` (default linux-x64) as `version`, trusting `publicKey`; returns the binary's path. */
export async function buildBinary(outDir: string, version: string, publicKey: string, target = "linux-x64"): Promise<string> {
  await ok(["bun", join(REPO, "build/build.ts"), "--target", target, "--version", version, "--out", outDir, "--release-keys", publicKey]);
  return join(outDir, findTarget(target)!.outfile);
}

/** Runs build/release.ts for `target` (default linux-x64). With `binaries`, packs those instead of building. */
export async function makeRelease(options: { out: string; version: string; keyFile: string; binaries?: string; releaseKeys?: string; target?: string }): Promise<void> {
  const args = ["--targets", options.target ?? "linux-x64", "--version", options.version, "--key", options.keyFile, "--out", options.out];
  if (options.binaries) args.push("--binaries", options.binaries);
  if (options.releaseKeys) args.push("--release-keys", options.releaseKeys);
  await ok(["bun", join(REPO, "build/release.ts"), ...args]);
}

/** Copies a release site so a test can tamper with its copy. */
export function copySite(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}

/** Re-signs `<versionDir>/manifest.json` (after an edit, or with another key). */
export async function resignManifest(versionDir: string, key: ReleaseKey): Promise<void> {
  const bytes = readFileSync(join(versionDir, "manifest.json"));
  writeFileSync(join(versionDir, "manifest.json.sig"), Buffer.from(await signBytes(key, bytes)).toString("base64") + "\n");
}

/**
 * Serves `root` on loopback: plain HTTP at `http://127.0.0.1:port`, or with `tls` HTTPS at
 * `https://<tls.host>:port` (a name the certificate carries; the caller makes it resolve).
 */
export function serveStatic(root: string, options: { tls?: { cert: string; key: string; host: string } } = {}): { url: string; stop: () => void } {
  const { tls } = options;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    async fetch(request) {
      const path = decodeURIComponent(new URL(request.url).pathname);
      if (path.includes("..")) return new Response("bad path", { status: 400 });
      const file = Bun.file(join(root, path));
      return (await file.exists()) ? new Response(file) : new Response("not found", { status: 404 });
    },
  });
  const url = tls ? `https://${tls.host}:${server.port}` : `http://127.0.0.1:${server.port}`;
  return { url, stop: () => void server.stop(true) };
}

/**
 * Like serveStatic, but every `.tar.gz` is answered with its full Content-Length and only
 * half its bytes before the socket is destroyed: a connection that drops mid-download.
 * Raw HTTP/1.1 over node:net, so the drop happens exactly there.
 */
export async function serveDroppingDownloads(root: string): Promise<{ url: string; stop: () => void }> {
  const server = createServer((socket) => {
    socket.once("data", (chunk) => {
      const path = decodeURIComponent(/^GET (\S+)/.exec(chunk.toString("latin1"))?.[1] ?? "/");
      const full = join(root, path);
      if (path.includes("..") || !existsSync(full)) {
        socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
      }
      const body = readFileSync(full);
      const head = `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`;
      if (!path.endsWith(".tar.gz")) return void socket.end(Buffer.concat([Buffer.from(head), body]));
      socket.write(Buffer.concat([Buffer.from(head), body.subarray(0, body.length >> 1)]), () => socket.destroy());
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => void server.close() };
}
