/**
 * @module
 * `outpost dev`: the whole product on one machine, in one process. A TLS gateway on
 * loopback with a CA made on the spot, a group, an agent activated with a real code over
 * the real API, a sample SQLite database and files folder, and ready-to-paste curl
 * commands that go through the real tunnel. `--check` runs those requests itself and
 * exits, which is what the README's first command and the tests do.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { cmd, type GlobalOptions } from "../command.ts";
import { UsageError } from "../errors.ts";
import { VERSION } from "../version.ts";

interface DevArgs extends GlobalOptions {
  dir: string;
  port: number;
  check: boolean;
}

const MARKER = ".outpost-dev";

export const devCommand = cmd<GlobalOptions, DevArgs>({
  command: "dev",
  describe: "Run a local demo: gateway, agent, sample database and files, on loopback",
  builder: (yargs) =>
    yargs
      .option("dir", { type: "string", default: "./outpost-dev", describe: "Folder for the demo's files (recreated on each start)" })
      .option("port", { type: "number", default: 8443, describe: "Gateway port on 127.0.0.1 (0 picks a free one)" })
      .option("check", { type: "boolean", default: false, describe: "Run the sample requests, print the answers, and exit" }) as never,
  handler: async (args) => {
    const { createCertificateAuthority } = await import("../../crypto/x509.ts");
    const { openGatewayStore } = await import("../../gateway/store/open-gateway-store.ts");
    const { startGateway } = await import("../../gateway/server.ts");
    const { AdminService } = await import("../../gateway/admin/admin-service.ts");
    const { activateAgent } = await import("../../agent/activate.ts");
    const { startAgent } = await import("../../agent/agent.ts");
    const { loadConfig } = await import("../../config/load.ts");
    const { createLogger } = await import("../../log/logger.ts");
    const { writeDemoAgent } = await import("../dev/demo-data.ts");

    const dir = resolve(args.dir);
    prepareFolder(dir);
    const log = createLogger("dev", { level: args.debug ? "debug" : "warn", format: "text" });
    const ca = createCertificateAuthority({ commonName: "Outpost dev CA" });
    const leaf = ca.issue({ commonName: "localhost" });
    const caPath = join(dir, "ca.pem");
    writeFileSync(caPath, ca.certPem);

    const store = await openGatewayStore(join(dir, "gateway-data"));
    const gateway = startGateway({ store, log, hostname: "127.0.0.1", port: args.port, tls: { cert: leaf.certPem, key: leaf.keyPem } });
    // 127.0.0.1, not localhost: the gateway listens there only, and `localhost` may resolve to ::1 first.
    const url = `https://127.0.0.1:${gateway.port}`;
    const admin = new AdminService({ store });
    await admin.createGroup("demo");
    const { secret: token } = await admin.createToken({ name: "demo-caller", groups: ["demo"] });
    const { secret: adminToken } = await admin.createToken({ name: "demo-admin", admin: true });
    const { activationCode } = await admin.addAgent("demo", "demo-agent", gateway.publicUrl);

    const configPath = writeDemoAgent(join(dir, "agent"));
    await activateAgent({
      code: activationCode,
      gatewayUrl: `wss://127.0.0.1:${gateway.port}`,
      configPath,
      identityPath: join(dir, "agent", "identity.json"),
      ca: ca.certPem,
      caPath,
      version: VERSION,
    });
    const agent = await startAgent({ loaded: await loadConfig(configPath), version: VERSION, log });
    await waitUntil(() => gateway.registry.all().length > 0, 15_000);

    const requests = sampleRequests(url, token, caPath);
    const stop = async () => {
      await agent.shutdown();
      await gateway.stop({ graceMs: 1000 });
      await store.close();
    };
    if (args.check) {
      const failed = await runChecks(requests, caPath, token);
      await stop();
      if (failed > 0) throw new Error(`${failed} demo request(s) failed`);
      return;
    }
    process.stdout.write(banner(url, dir, token, adminToken, requests));
    await new Promise<void>((done) => {
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
    });
    await stop();
  },
});

/** The folder is recreated on each start, but only if it is empty or was made by `outpost dev`. */
function prepareFolder(dir: string) {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, MARKER))) {
    throw new UsageError(`${dir} exists and was not made by \`outpost dev\`; choose another --dir`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), "This folder is recreated by `outpost dev` on each start.\n");
}

interface SampleRequest {
  title: string;
  method: string;
  path: string;
  body?: string;
  curl: string;
}

function sampleRequests(url: string, token: string, caPath: string): SampleRequest[] {
  const auth = `-H "Authorization: Bearer ${token}"`;
  const query = JSON.stringify({ sql: "select name, price from products where price > ? order by price", params: [20] });
  return [
    {
      title: "Query the SQLite database behind the agent",
      method: "POST",
      path: "/v1/groups/demo/db/demo/query",
      body: query,
      curl: `curl --cacert ${caPath} ${auth} -X POST ${url}/v1/groups/demo/db/demo/query -d '${query}'`,
    },
    {
      title: "List the shared folder",
      method: "GET",
      path: "/v1/groups/demo/files/share/?recursive=1",
      curl: `curl --cacert ${caPath} ${auth} '${url}/v1/groups/demo/files/share/?recursive=1'`,
    },
    {
      title: "Download a file",
      method: "GET",
      path: "/v1/groups/demo/files/share/hello.txt",
      curl: `curl --cacert ${caPath} ${auth} ${url}/v1/groups/demo/files/share/hello.txt`,
    },
  ].map((request) => ({ ...request, url }));
}

async function runChecks(requests: (SampleRequest & { url?: string })[], caPath: string, token: string): Promise<number> {
  const ca = await Bun.file(caPath).text();
  let failed = 0;
  for (const request of requests) {
    const response = await fetch(`${request.url}${request.path}`, {
      method: request.method,
      body: request.body,
      headers: { authorization: `Bearer ${token}` },
      tls: { ca },
    });
    const text = (await response.text()).trim();
    if (!response.ok) failed++;
    process.stdout.write(`${response.ok ? "ok  " : "FAIL"} ${response.status} ${request.title}\n     ${text.slice(0, 300)}\n`);
  }
  return failed;
}

function banner(url: string, dir: string, token: string, adminToken: string, requests: SampleRequest[]): string {
  return [
    `Outpost dev is running: gateway ${url}, group "demo", agent "demo-agent" (connected).`,
    `Files are in ${dir}. API token (group demo): ${token}`,
    `Console: ${url}/console — sign in with the admin token ${adminToken} (trust ${dir}/ca.pem in your browser, or accept the warning)`,
    "",
    ...requests.flatMap((request) => [`# ${request.title}`, request.curl, ""]),
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}

async function waitUntil(check: () => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("the demo agent did not connect to the demo gateway in time");
    await Bun.sleep(20);
  }
}
