/** @module Free loopback ports for servers started by tests. */
import { createServer } from "node:net";

/** Asks the OS for a free TCP port on 127.0.0.1 (released before returning, so a tiny race remains). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
