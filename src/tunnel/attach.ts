/** @module Starts a session on a connection whose handshake is done, wiring its events. */
import type { Connection } from "./connection.ts";
import { Session, type SessionOptions } from "./session.ts";

/** Creates the session and makes it the connection's listener (flushing anything queued meanwhile). */
export function attachSession(connection: Connection, options: Omit<SessionOptions, "transport">): Session {
  const session = new Session({ ...options, transport: connection.transport });
  connection.listen({
    message: (data) => session.receive(data),
    close: (code, reason) => session.transportClosed(code, reason),
    drain: () => session.drained(),
  });
  return session;
}
