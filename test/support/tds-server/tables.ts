/**
 * @module
 * Just enough of a table store behind the test server for the database conformance suite:
 * `(id int primary key, name nvarchar(100))` tables created, filled, updated, counted and
 * dropped by the exact statements the suite sends, with transactions. A transaction
 * snapshots every table at BEGIN and restores the snapshot on ROLLBACK (or when its
 * connection drops) — coarse, but the suite never writes from two sessions at once.
 */
import type { TdsServer } from "./server.ts";

type Tables = Map<string, Map<number, string | null>>;

const copy = (tables: Tables): Tables => new Map([...tables].map(([name, rows]) => [name, new Map(rows)]));

export function installTables(server: TdsServer): Tables {
  let tables: Tables = new Map();
  const snapshots = new Map<number, Tables>();
  const table = (name: string) => {
    const found = tables.get(name.toLowerCase());
    if (!found) throw new Error(`Invalid object name '${name}'.`);
    return found;
  };
  server.onTransaction((event, session) => {
    if (event === "begin") snapshots.set(session.id, copy(tables));
    else if (event === "rollback" && snapshots.has(session.id)) tables = snapshots.get(session.id)!;
    if (event !== "begin") snapshots.delete(session.id);
  });
  const id = { name: "id", type: "int" } as const;
  const name = { name: "name", type: "nvarchar" } as const;
  server
    .on(/^create table (\w+) \(id int primary key, name nvarchar\(100\)\)$/i, ({ match }) => {
      tables.set(match[1]!.toLowerCase(), new Map());
      return { ok: true };
    })
    .on(/^drop table (\w+)$/i, ({ match }) => {
      table(match[1]!);
      tables.delete(match[1]!.toLowerCase());
      return { ok: true };
    })
    .on(/^insert into (\w+) \(id, name\) values \(@p1, @p2\)$/i, ({ match, params }) => {
      const rows = table(match[1]!);
      const key = Number(params.p1);
      if (rows.has(key)) {
        return { error: { number: 2627, message: `Violation of PRIMARY KEY constraint 'PK_${match[1]}'. Cannot insert duplicate key in object 'dbo.${match[1]}'. The duplicate key value is (${key}).`, severity: 14 } };
      }
      rows.set(key, params.p2 === null ? null : String(params.p2));
      return { rowsAffected: 1 };
    })
    .on(/^update (\w+) set name = @p1 where id >= @p2$/i, ({ match, params }) => {
      const rows = table(match[1]!);
      const changed = [...rows.keys()].filter((key) => key >= Number(params.p2));
      for (const key of changed) rows.set(key, String(params.p1));
      return { rowsAffected: changed.length, command: 0xc5 };
    })
    .on(/^select id, name from (\w+) where name = @p1$/i, ({ match, params }) => ({
      columns: [id, name],
      rows: [...table(match[1]!)].filter(([, value]) => value === params.p1).map(([key, value]) => [key, value]),
    }))
    .on(/^select id from (\w+) order by id$/i, ({ match }) => ({
      columns: [id],
      rows: [...table(match[1]!).keys()].sort((a, b) => a - b).map((key) => [key]),
    }))
    .on(/^select count\(\*\) as c from (\w+)$/i, ({ match }) => ({ columns: [{ name: "c", type: "int" }], rows: [[table(match[1]!).size]] }));
  return tables;
}
