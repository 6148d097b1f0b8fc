/**
 * @module
 * Which handler serves which operation, and for which connector kind. The dispatcher
 * looks an open header's `op` up here; an op without an entry is a BAD_REQUEST.
 */
import type { AnyConnector } from "../../connectors/connector.ts";
import type { Managed } from "../../connectors/managed.ts";
import type { OperationName } from "../../protocol/index.ts";
import type { Reply } from "../reply.ts";
import type { Args } from "./args.ts";
import type { OperationContext } from "./context.ts";
import * as database from "./database.ts";
import * as files from "./files.ts";
import * as forward from "./forward.ts";
import * as scripts from "./scripts.ts";

export type Handler = (connector: Managed<AnyConnector>, args: Args, reply: Reply, context: OperationContext) => Promise<void>;

interface Entry {
  kind: AnyConnector["kind"];
  handler: Handler;
}

function entry<C extends AnyConnector>(kind: C["kind"], handler: (c: Managed<C>, a: Args, r: Reply, o: OperationContext) => Promise<void>): Entry {
  return { kind, handler: handler as unknown as Handler };
}

export const HANDLERS: Record<OperationName, Entry> = {
  "db.query": entry("database", database.query),
  "db.execute": entry("database", database.execute),
  "db.batch": entry("database", database.batch),
  "db.call": entry("database", database.call),
  "files.list": entry("files", files.list),
  "files.stat": entry("files", files.stat),
  "files.read": entry("files", files.read),
  "files.write": entry("files", files.write),
  "files.move": entry("files", files.move),
  "files.rename": entry("files", files.rename),
  "files.mkdir": entry("files", files.mkdir),
  "files.delete": entry("files", files.remove),
  "files.poll": entry("files", files.poll),
  "http.forward": entry("http", forward.forward),
  "scripts.run": entry("scripts", scripts.run),
  "ext.handle": entry("extension", forward.extension),
};
