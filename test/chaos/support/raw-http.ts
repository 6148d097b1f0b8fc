/**
 * @module
 * A raw HTTPS/1.1 request over a TLS socket, byte for byte as given: `fetch` and `URL`
 * normalise `%2e%2e` and backslashes before sending, which would hide exactly the escapes
 * the abuse tests must send. Reads the answer until the server closes (`connection: close`).
 */
import { connect } from "node:tls";

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/** Sends `GET path` (or `method`) with `headers` to `localhost:port` and returns the parsed answer. */
export function rawRequest(port: number, ca: string, method: string, path: string, headers: Record<string, string> = {}, body = ""): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ca, servername: "localhost" }, () => {
      const lines = [`${method} ${path} HTTP/1.1`, `host: localhost:${port}`, "connection: close", `content-length: ${Buffer.byteLength(body)}`,
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
      // write, not end: a FIN before the answer reads as a caller that left.
      socket.write(`${lines.join("\r\n")}\r\n\r\n${body}`);
    });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const head = split >= 0 ? text.slice(0, split) : text;
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: split >= 0 ? text.slice(split + 4) : "" });
    });
    socket.setTimeout(15_000, () => socket.destroy(new Error("raw request timed out")));
  });
}
