/**
 * @module
 * A scripted gateway for supervisor tests: each dial takes the next step of a script
 * (connect, fail to connect, refuse with a close code) and hands back a fake link whose end
 * the test decides. Time runs on a ManualClock; every wait the supervisor asks for is kept.
 */
import type { DialOptions, Link, LinkEnd } from "../../../src/agent/link.ts";
import { createLogger, type Logger } from "../../../src/log/logger.ts";
import { TunnelError, type Clock, type Session } from "../../../src/tunnel/index.ts";
import { ManualClock } from "../../tunnel/support/manual-clock.ts";

export type DialStep = "ok" | "unreachable" | { refuse: number };

export interface FakeLink {
  link: Link;
  goAways: string[];
  end(end: LinkEnd): void;
}

export interface Harness {
  clock: ManualClock;
  /** The clock handed to the supervisor: the manual one, recording each wait. */
  recording: Clock;
  waits: number[];
  dials: DialOptions[];
  links: FakeLink[];
  lines: Array<{ level: string; msg: string; [field: string]: unknown }>;
  log: Logger;
  script: DialStep[];
  dial(options: DialOptions): Promise<Link>;
}

export function harness(script: DialStep[]): Harness {
  const clock = new ManualClock();
  const waits: number[] = [];
  const lines: Array<{ level: string; msg: string; [field: string]: unknown }> = [];
  const h: Harness = {
    clock,
    waits,
    dials: [],
    links: [],
    lines,
    script,
    log: createLogger("agent", { level: "info", format: "json", sinks: [{ write: (line) => lines.push(JSON.parse(line)) }] }),
    recording: {
      now: () => clock.now(),
      setTimeout: (callback, ms) => {
        waits.push(ms);
        return clock.setTimeout(callback, ms);
      },
      clearTimeout: (handle) => clock.clearTimeout(handle),
    },
    async dial(options) {
      h.dials.push(options);
      const step = h.script.shift() ?? "unreachable";
      if (step === "unreachable") throw new TunnelError("CONNECT_FAILED", "cannot connect to gateway.test:443: ECONNREFUSED");
      if (typeof step === "object") {
        throw new TunnelError("HANDSHAKE_FAILED", `refused with ${step.refuse}`, { closeCode: step.refuse, retryable: true });
      }
      const fake = fakeLink(`session-${h.links.length + 1}`);
      h.links.push(fake);
      return fake.link;
    },
  };
  return h;
}

function fakeLink(sessionId: string): FakeLink {
  let settle!: (end: LinkEnd) => void;
  const ended = new Promise<LinkEnd>((resolve) => (settle = resolve));
  const goAways: string[] = [];
  const session = {
    closed: false,
    goingAway: false,
    goAway(_code: number, message: string) {
      session.goingAway = true;
      goAways.push(message);
    },
    close() {
      session.closed = true;
      settle({ kind: "closed", refused: false });
    },
  };
  return {
    link: { session: session as unknown as Session, sessionId, clockOffsetMs: 0, ended },
    goAways,
    end(end) {
      if (end.kind === "closed") session.closed = true;
      else session.goingAway = true;
      settle(end);
    },
  };
}

/** Lets the supervisor's promise chains run (no time passes on the manual clock). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
