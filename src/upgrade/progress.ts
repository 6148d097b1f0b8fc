/**
 * @module
 * Download progress: a bar redrawn in place on a terminal, a plain line every 25 % otherwise
 * (log files and service journals get four lines, not thousands).
 */

export interface Progress {
  update(bytes: number): void;
  done(): void;
}

export interface ProgressOptions {
  total: number;
  label: string;
  /** Defaults to `process.stderr.isTTY`. */
  tty?: boolean;
  /** Defaults to writing to stderr. */
  write?: (text: string) => void;
}

const WIDTH = 30;
const MiB = 2 ** 20;

export function createProgress(options: ProgressOptions): Progress {
  const write = options.write ?? ((text: string) => void process.stderr.write(text));
  const tty = options.tty ?? process.stderr.isTTY === true;
  const total = Math.max(options.total, 1);
  let shown = -1;
  const sizes = (bytes: number) => `${(bytes / MiB).toFixed(1)}/${(total / MiB).toFixed(1)} MiB`;
  return {
    update(bytes) {
      const percent = Math.min(100, Math.floor((bytes / total) * 100));
      if (tty) {
        if (percent === shown) return;
        const filled = Math.round((percent / 100) * WIDTH);
        write(`\r${options.label} [${"#".repeat(filled)}${" ".repeat(WIDTH - filled)}] ${String(percent).padStart(3)}% ${sizes(bytes)}`);
        shown = percent;
        return;
      }
      const step = Math.floor(percent / 25) * 25;
      if (step <= shown) return;
      write(`${options.label}: ${step}% (${sizes(bytes)})\n`);
      shown = step;
    },
    done() {
      if (tty && shown >= 0) write("\n");
    },
  };
}
