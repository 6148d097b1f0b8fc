/**
 * @module
 * SQL Server connector behaviour beyond the conformance suite, against the TDS stand-in:
 * login failure, TLS verification against an IP address (accepted and refused), streaming
 * with backpressure, ATTENTION reaching the server, type mapping, procedure output
 * parameters, and the pool healing after the server stops and starts again.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import type { DatabaseConnector, Row } from "../../src/connectors/connector.ts";
import { createCallContext } from "../../src/connectors/context.ts";
import { ConnectorError } from "../../src/connectors/errors.ts";
import { createSqlServerConnector } from "../../src/connectors/sqlserver/sqlserver-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { createTestCa } from "../support/certs.ts";
import { startTdsServer } from "../support/tds-server/index.ts";

const ca = createTestCa();
const leaf = ca.issue("sqlserver", { dns: [], ips: ["127.0.0.1"] });
const otherIp = ca.issue("elsewhere", { dns: [], ips: ["127.0.0.2"] });
const server = await startTdsServer({ users: { outpost: "s3cret-pass" }, tls: { cert: leaf.certPem, key: leaf.keyPem } });
const wrongCertServer = await startTdsServer({ users: { outpost: "s3cret-pass" }, tls: { cert: otherIp.certPem, key: otherIp.keyPem } });
const connectors: DatabaseConnector[] = [];
afterAll(async () => {
  for (const connector of connectors) await connector.close();
  await server.stop();
  await wrongCertServer.stop();
});

const connect = (extra: Partial<DatabaseProfile> = {}, port = server.port) => {
  const connector = createSqlServerConnector({
    adapter: "sqlserver", host: "127.0.0.1", port, username: "outpost", password: "s3cret-pass",
    ssl: { mode: "verify-full", ca: ca.certPath }, ...extra,
  }, { log: silentLogger });
  connectors.push(connector);
  return connector;
};
const ctx = () => createCallContext({ timeoutMs: 30_000 });
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
};
const all = async (rows: AsyncIterable<Row[]>) => {
  const out: Row[] = [];
  for await (const batch of rows) out.push(...batch);
  return out;
};

describe("sqlserver connection", () => {
  test("a wrong password is AUTH_FAILED and the password is not in the message", async () => {
    const error = await failure(connect({ password: "wrong-password-42" }).health!(ctx()));
    expect(error.code).toBe("AUTH_FAILED");
    expect(error.message).toContain("Login failed");
    expect(error.message).not.toContain("wrong-password-42");
    expect(server.stats.failedLogins).toBeGreaterThan(0);
  });

  test("TLS verification against an IP address accepts the right certificate and refuses another", async () => {
    const before = server.stats.tlsSessions;
    await connect().health!(ctx());
    expect(server.stats.tlsSessions).toBe(before + 1);
    const refused = await failure(connect({}, wrongCertServer.port).health!(ctx()));
    expect(refused.code).toBe("UNREACHABLE");
    expect(refused.retryable).toBe(false);
    expect(refused.message).toContain("127.0.0.1");
    // `require` encrypts without checking: the same server is accepted.
    await connect({ ssl: { mode: "require" } }, wrongCertServer.port).health!(ctx());
  });

  test("a closed port is UNREACHABLE and retryable", async () => {
    const closed = await startTdsServer({ users: {} });
    const port = closed.port;
    await closed.stop();
    const error = await failure(connect({ ssl: { mode: "disable" } }, port).health!(ctx()));
    expect(error.code).toBe("UNREACHABLE");
    expect(error.retryable).toBe(true);
  });

  test("streams 20,000 wide rows with backpressure: the server waits while the caller does not read", async () => {
    server.on("select id, filler from wide_rows", () => ({
      columns: [{ name: "id", type: "int" }, { name: "filler", type: "nvarchar" }],
      rows: (function* () {
        for (let id = 1; id <= 20_000; id++) yield [id, "x".repeat(200)];
      })(),
    }));
    // Plain TDS: the stand-in's server-side TLS socket (over an in-memory pair) buffers without
    // limit, so only the plain socket shows the server blocking. The client side is the same.
    const result = await connect({ ssl: { mode: "disable" } }).query({ sql: "select id, filler from wide_rows" }, ctx());
    const iterator = result.rows[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value.length).toBe(500);
    // 8 MB of rows cannot fit in loopback socket buffers: the server must block until we read on.
    while (!server.stats.waitingForDrain) await Bun.sleep(10);
    expect(server.stats.rowsSent).toBeLessThan(20_000);
    let count = first.value.length;
    let last = 0;
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      count += step.value.length;
      last = step.value.at(-1)!.id as number;
    }
    expect(count).toBe(20_000);
    expect(last).toBe(20_000);
  }, 30_000);

  test("an abort sends ATTENTION to the server and ends the call with CANCELLED or TIMEOUT", async () => {
    server.on("waitfor delay '01:00:00'", () => ({ waitForCancel: true }));
    const db = connect();
    const before = server.stats.attentions;
    const caller = new AbortController();
    const call = createCallContext({ signal: caller.signal, timeoutMs: 30_000 });
    const running = db.execute({ sql: "waitfor delay '01:00:00'" }, call);
    while (!server.sql.includes("waitfor delay '01:00:00'")) await Bun.sleep(10);
    caller.abort();
    expect((await failure(running)).code).toBe("CANCELLED");
    expect(server.stats.attentions).toBe(before + 1);
    const timed = db.execute({ sql: "waitfor delay '01:00:00'" }, createCallContext({ timeoutMs: 300 }));
    expect((await failure(timed)).code).toBe("TIMEOUT");
    expect(server.stats.attentions).toBe(before + 2);
    // The connection came back from the ATTENTION in a usable state.
    await db.health!(ctx());
  });

  test("maps SQL Server types to JSON and names each column's type", async () => {
    server.on("select * from typed", () => ({
      columns: [
        { name: "i", type: "int" }, { name: "b", type: "bigint" }, { name: "s", type: "nvarchar" }, { name: "flag", type: "bit" },
        { name: "price", type: "decimal", scale: 2 }, { name: "ratio", type: "float" }, { name: "at", type: "datetime2", scale: 7 },
        { name: "seen", type: "datetimeoffset", scale: 3 }, { name: "blob", type: "varbinary" }, { name: "uid", type: "uniqueidentifier" },
        { name: "none", type: "nvarchar" },
      ],
      rows: [[-7, "-9223372036854775808", "héllo", false, "12345.67", 0.25, new Date("2024-01-31T12:34:56.789Z"),
        new Date("2024-02-01T00:00:00.5Z"), Buffer.from("hi"), "6F9619FF-8B86-D011-B42D-00C04FC964FF", null]],
    }));
    const result = await connect().query({ sql: "select * from typed" }, ctx());
    expect(result.columns.map((c) => c.type)).toEqual([
      "int", "bigint", "nvarchar", "bit", "decimal", "float", "datetime2", "datetimeoffset", "varbinary", "uniqueidentifier", "nvarchar",
    ]);
    expect(await all(result.rows)).toEqual([{
      i: -7, b: "-9223372036854775808", s: "héllo", flag: false, price: "12345.67", ratio: 0.25, at: "2024-01-31T12:34:56.7890000Z",
      seen: "2024-02-01T00:00:00.500Z", blob: "aGk=", uid: "6F9619FF-8B86-D011-B42D-00C04FC964FF", none: null,
    }]);
  });

  test("binds typed parameters as @p1..@pn", async () => {
    server.on("select @p1 as echo", ({ list }) => ({ columns: [{ name: "echo", type: "nvarchar" }], rows: [[list.map((p) => `${p.name}:${p.type}`).join(",")]] }));
    const result = await connect().query({ sql: "select @p1 as echo", params: [1, 9007199254740991, "t", true, 1.5, null] }, ctx());
    expect(await all(result.rows)).toEqual([{ echo: "p1:int,p2:bigint,p3:nvarchar,p4:bit,p5:float,p6:nvarchar" }]);
    expect(server.params.at(-1)!.map((p) => p.value)).toEqual([1, "9007199254740991", "t", true, 1.5, null]);
  });

  test("calls a procedure with an output parameter and returns its result set", async () => {
    server.procedure("dbo.add_one", ({ params }) => {
      const n = Number(params.find((p) => p.name === "n")?.value);
      return {
        resultSets: [{ columns: [{ name: "was", type: "int" }], rows: [[n]] }],
        outputs: { result: { type: "int", value: n + 1 }, label: { type: "nvarchar", value: `was ${n}` } },
      };
    });
    const result = await connect().call!({
      procedure: "dbo.add_one",
      params: { n: 41, result: { out: true, type: "int" }, label: { out: true, type: "nvarchar(20)" } },
    }, ctx());
    expect(result.outputs).toEqual({ result: 42, label: "was 41" });
    expect(result.resultSets).toEqual([{ columns: [{ name: "was", type: "int" }], rows: [{ was: 41 }] }]);
    const sent = server.procedures.at(-1)!;
    expect(sent.params.map((p) => [p.name, p.output])).toEqual([["n", false], ["result", true], ["label", true]]);
  });

  test("the pool recovers after the server stops and starts again", async () => {
    const db = connect();
    await db.health!(ctx());
    const logins = server.stats.logins;
    await server.stop();
    const down = await failure(db.health!(ctx()));
    expect(down.code).toBe("UNREACHABLE");
    expect(down.retryable).toBe(true);
    await server.start();
    await db.health!(ctx());
    expect(server.stats.logins).toBe(logins + 1);
  });
});
