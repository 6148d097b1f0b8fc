/** @module Script runs: the connector checks the allowlist and the parameters; the result answers as JSON. */
import type { ScriptsConnector } from "../../connectors/connector.ts";
import type { Managed } from "../../connectors/managed.ts";
import type { Reply } from "../reply.ts";
import { optionalObject, requiredString, type Args } from "./args.ts";
import type { OperationContext } from "./context.ts";

export async function run(scripts: Managed<ScriptsConnector>, args: Args, reply: Reply, { ctx }: OperationContext): Promise<void> {
  await reply.json(await scripts.run(requiredString(args, "script"), optionalObject(args, "params") ?? {}, ctx));
}
