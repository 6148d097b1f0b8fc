/**
 * @module
 * Reads a child process's JSON log lines (stderr) as they come, so the pipe never fills
 * and blocks the child, and keeps them for assertions: find a line by its message, wait
 * for one, count them. Lines that are not JSON are kept as `{ msg: line }`.
 */
export interface LogLine {
  time?: string;
  level?: string;
  msg: string;
  /** When this test process read the line (performance.now()). */
  seenAt: number;
  [field: string]: unknown;
}

/** Lines kept at most; older ones are dropped (a soak writes many). */
const MAX_LINES = 20_000;

export class LogTail {
  readonly lines: LogLine[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#read(stream);
  }

  /** Lines whose message contains `text`, seen at or after `since` (performance.now()). */
  find(text: string, since = 0): LogLine[] {
    return this.lines.filter((line) => line.seenAt >= since && line.msg.includes(text));
  }

  /** Resolves with the first line containing `text` seen at or after `since`; rejects after `timeoutMs`. */
  async waitFor(text: string, since = 0, timeoutMs = 15_000): Promise<LogLine> {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const line = this.find(text, since)[0];
      if (line) return line;
      if (performance.now() > until) throw new Error(`no log line "${text}" within ${timeoutMs} ms; last lines: ${this.tail(5)}`);
      await Bun.sleep(20);
    }
  }

  /** The last `n` messages, for failure messages. */
  tail(n: number): string {
    return this.lines.slice(-n).map((line) => line.msg).join(" | ");
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of stream) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        this.#add(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    }
    if (buffered) this.#add(buffered);
  }

  #add(text: string): void {
    if (!text.trim()) return;
    let line: LogLine;
    try {
      line = { ...(JSON.parse(text) as object), seenAt: performance.now() } as LogLine;
      if (typeof line.msg !== "string") line.msg = text;
    } catch {
      line = { msg: text, seenAt: performance.now() };
    }
    this.lines.push(line);
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }
}
