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

const profileOf = (readonly: boolean): DatabaseProfile => ({
  adapter: "sqlserver", host: "127.0.0.1", port: server.port, database: "outpost", username: "outpost", password: "s3cret-pass",
  ssl: { mode: "verify-full", ca: ca.certPath }, readonly,
});

runDatabaseConformance({
  name: "sqlserver (TDS stand-in, TLS verify-full to 127.0.0.1)",
  create: async ({ readonly }) => ({ connector: createSqlServerConnector(profileOf(readonly), { log: silentLogger }) }),
  dialect: {
    placeholder: (i) => `@p${i}`,
    createTable: (table) => `create table ${table} (id int primary key, name nvarchar(100))`,
    generateRows: (count) =>
      `select top (${count}) cast(row_number() over (order by (select null)) as int) as n from sys.all_columns a cross join sys.all_columns b order by n`,
    typesQuery: "select cast(9007199254740993 as bigint) as big, null as missing, cast(1 as bit) as yes, 0x00ff10 as bytes",
    booleanTrue: true,
    slowQuery: "waitfor delay '00:00:30'",
  },
});
