/**
 * @module
 * The session state the test server keeps per connection, and what its sp_reset_connection
 * does with it: `#temp` tables, SET options, context_info, session-owned application locks
 * and a transaction begun with `BEGIN TRAN` in SQL. Canned T-SQL changes and reads them, so
 * a test can leave state behind on one call and look for it on the next. There is no
 * procedure scope here: everything a statement changes stays on the session until a
 * reset (a real server already undoes `#temp` tables and SET options made inside
 * `sp_executesql` when it returns; the stand-in is the stricter case).
 */
import type { TdsServer } from "./server.ts";

export interface SessionState {
  temps: Set<string>;
  /** SET options changed after login, by lower-case name (`language`, `dateformat`, `implicit_transactions`). */
  options: Map<string, string>;
  contextInfo: Buffer | undefined;
  /** Application locks held with `@LockOwner = 'Session'`, by resource name. */
  applocks: Set<string>;
}

export const freshState = (): SessionState => ({ temps: new Set(), options: new Map(), contextInfo: undefined, applocks: new Set() });

const SET = /^\s*set\s+(\w+)\s+(.+?)\s*;?\s*$/i;

/** Registers the statements that change and read session state. */
export function installSessionState(server: TdsServer): void {
  const value = (v: string | number | null, type: "int" | "nvarchar" = "nvarchar") => ({ columns: [{ name: "v", type }], rows: [[v]] });
  server
    // tedious's own session setup after login ("set textsize ...\nset ansi_nulls on ..."), and the caller's SETs.
    .on(/^\s*set\s[\s\S]*$/i, ({ sql, session }) => {
      for (const line of sql.split(/\n|;/)) {
        const match = SET.exec(line);
        if (match && match[1]!.toLowerCase() === "context_info") session.state.contextInfo = Buffer.from(match[2]!.replace(/^0x/i, ""), "hex");
        else if (match) session.state.options.set(match[1]!.toLowerCase(), match[2]!.toLowerCase());
      }
      return { ok: true };
    })
    .on(/^create table (#\w+) \(.*\)$/i, ({ match, session }) => {
      session.state.temps.add(match[1]!.toLowerCase());
      return { ok: true };
    })
    .on(/^select object_id\('tempdb\.\.(#\w+)'\) as v$/i, ({ match, session }) => value(session.state.temps.has(match[1]!.toLowerCase()) ? 1 : null, "int"))
    .on("select @@language as v", ({ session }) => value(session.state.options.get("language") ?? "us_english"))
    .on("select dateformat as v from sys.dm_exec_sessions where session_id = @@spid", ({ session }) => value(session.state.options.get("dateformat") ?? "mdy"))
    .on("select sessionproperty('ANSI_NULLS') as v", ({ session }) => value(session.state.options.get("ansi_nulls") === "off" ? 0 : 1, "int"))
    .on("select @@options & 2 as v", ({ session }) => value(session.state.options.get("implicit_transactions") === "on" ? 2 : 0, "int"))
    .on("select context_info() as v", ({ session }) => ({ columns: [{ name: "v", type: "varbinary" }], rows: [[session.state.contextInfo ?? null]] }))
    .on(/^begin tran(saction)?$/i, ({ session }) => {
      session.transaction ??= "0101010101010101";
      server.emitTransaction("begin", session);
      return { ok: true };
    })
    .on("select @@trancount as v", ({ session }) => value(session.transaction === undefined ? 0 : 1, "int"))
    .on(/^exec sp_getapplock @Resource = '(\w+)', @LockMode = 'Exclusive', @LockOwner = 'Session'$/i, ({ match, session }) => {
      session.state.applocks.add(match[1]!);
      return { ok: true };
    })
    .on(/^select applock_mode\('public', '(\w+)', 'Session'\) as v$/i, ({ match, session }) => value(session.state.applocks.has(match[1]!) ? "Exclusive" : "NoLock"));
}
