/**
 * @module
 * Reads a secret typed at a terminal without echoing it (raw mode, so nothing the user
 * types is shown or kept in scrollback), or the whole of a piped stdin.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "./errors.ts";

/** Prompts on stderr and reads one line from the TTY without echo. Ctrl-C aborts. */
export function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new UsageError("stdin is not a terminal; pipe the secret in with --stdin");
  // Echo goes off before the prompt shows, so nothing typed after the prompt can appear.
  stdin.setRawMode(true);
  stdin.resume();
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = "";
    const finish = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u0003") return finish(new UsageError("cancelled"));
        if (char === "\u007f" || char === "\b") text = [...text].slice(0, -1).join("");
        else text += char;
      }
    };
    stdin.on("data", onData);
  });
}

/**
 * All of stdin, without one trailing newline (what `echo` adds). Read with a plain read of
 * fd 0: `process.stdin` fails with EBADF on a pipe in the Windows build (seen under Wine),
 * while this works for pipes and files alike. A non-blocking stdin (EAGAIN) falls back to
 * the stream.
 */
export async function readStdin(): Promise<string> {
  let text: string;
  try {
    text = readFileSync(0, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code !== "EAGAIN") throw error;
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
    text = Buffer.concat(chunks).toString("utf8");
  }
  return text.replace(/\r?\n$/, "");
}
