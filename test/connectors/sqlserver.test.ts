/**
 * @module
 * The database conformance suite for SQL Server, against the protocol-level TDS stand-in
 * (test/support/tds-server; no real SQL Server can run here) over TDS 7 TLS with
 * `verify-full` against the IP address 127.0.0.1. The dialect's SQL is real T-SQL; the
 * stand-in answers exactly these statements from canned handlers and a tiny table store.
 */
import { afterAll } from "bun:test";
import type { DatabaseProfile } from "../../src/config/types.ts";
import { createSqlServerConnector } from "../../src/connectors/sqlserver/sqlserver-connector.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { createTestCa } from "../support/certs.ts";
import { startTdsServer } from "../support/tds-server/index.ts";
import { installTables } from "../support/tds-server/tables.ts";
import { runDatabaseConformance } from "./database.suite.ts";

const ca = createTestCa();
const leaf = ca.issue("sqlserver", { dns: [], ips: ["127.0.0.1"] });
const server = await startTdsServer({ users: { outpost: "s3cret-pass" }, tls: { cert: leaf.certPem, key: leaf.keyPem } });
afterAll(() => server.stop());
installTables(server);

const GENERATE = /^select top \((\d+)\) cast\(row_number\(\) over \(order by \(select null\)\) as int\) as n from sys\.all_columns a cross join sys\.all_columns b order by n$/i;
server
  .on(GENERATE, ({ match }) => ({
    columns: [{ name: "n", type: "int" }],
    rows: (function* () {
      for (let n = 1; n <= Number(match[1]); n++) yield [n];
    })(),
  }))
  .on("select cast(9007199254740993 as bigint) as big, null as missing, cast(1 as bit) as yes, 0x00ff10 as bytes", () => ({
    columns: [{ name: "big", type: "bigint" }, { name: "missing", type: "int" }, { name: "yes", type: "bit" }, { name: "bytes", type: "varbinary" }],
    rows: [["9007199254740993", null, true, Buffer.from([0x00, 0xff, 0x10])]],
  }))
  .on("waitfor delay '00:00:30'", () => ({ waitForCancel: true }));

const profileOf = (readonly: boolean, poolSize?: number): DatabaseProfile => ({
  adapter: "sqlserver", host: "127.0.0.1", port: server.port, database: "outpost", username: "outpost", password: "s3cret-pass",
  ssl: { mode: "verify-full", ca: ca.certPath }, readonly, ...(poolSize ? { pool: { size: poolSize } } : {}),
});
const APPLOCK = (name: string) => `exec sp_getapplock @Resource = '${name}', @LockMode = 'Exclusive', @LockOwner = 'Session'`;

runDatabaseConformance({
  name: "sqlserver (TDS stand-in, TLS verify-full to 127.0.0.1)",
  create: async ({ readonly, poolSize }) => ({ connector: createSqlServerConnector(profileOf(readonly, poolSize), { log: silentLogger }) }),
  dialect: {
    placeholder: (i) => `@p${i}`,
    createTable: (table) => `create table ${table} (id int primary key, name nvarchar(100))`,
    generateRows: (count) =>
      `select top (${count}) cast(row_number() over (order by (select null)) as int) as n from sys.all_columns a cross join sys.all_columns b order by n`,
    typesQuery: "select cast(9007199254740993 as bigint) as big, null as missing, cast(1 as bit) as yes, 0x00ff10 as bytes",
    booleanTrue: true,
    slowQuery: "waitfor delay '00:00:30'",
    // The stand-in keeps this state on the session until sp_reset_connection (test/support/tds-server/session-state.ts).
    sessionLeaks: () => [
      { name: "a #temp table", change: ["create table #outpost_leak (id int)"], probe: "select object_id('tempdb..#outpost_leak') as v" },
      { name: "set language", change: ["set language French"], probe: "select @@language as v" },
      { name: "set dateformat", change: ["set dateformat dmy"], probe: "select dateformat as v from sys.dm_exec_sessions where session_id = @@spid" },
      { name: "set ansi_nulls off", change: ["set ansi_nulls off"], probe: "select sessionproperty('ANSI_NULLS') as v" },
      { name: "set implicit_transactions on", change: ["set implicit_transactions on"], probe: "select @@options & 2 as v" },
      { name: "an open transaction", change: ["begin tran"], probe: "select @@trancount as v" },
      { name: "a session application lock", change: [APPLOCK("outpost_leak")], probe: "select applock_mode('public', 'outpost_leak', 'Session') as v" },
      { name: "context_info", change: ["set context_info 0x0102"], probe: "select context_info() as v" },
      { name: "read-only: a session application lock", readonly: true, change: [APPLOCK("outpost_ro")], probe: "select applock_mode('public', 'outpost_ro', 'Session') as v" },
      { name: "read-only: context_info and SET options", readonly: true, change: ["set context_info 0x0a", "set language French"], probe: "select context_info() as v" },
    ],
  },
});
