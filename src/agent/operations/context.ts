/** @module What every operation handler gets besides its connector, args and reply. */
import type { CallContext } from "../../connectors/connector.ts";
import type { Stream } from "../../tunnel/index.ts";

export interface OperationContext {
  ctx: CallContext;
  /** The request stream; its `readable` is the request body for uploads and forwarded HTTP. */
  stream: Stream;
}
