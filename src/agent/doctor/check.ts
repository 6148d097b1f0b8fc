/**
 * @module
 * What every check of `outpost doctor` answers: one line with a verdict, what was looked
 * at, and, when it is not ok, what to do. Checks never throw and never put a secret in a
 * line (a password is named by its profile, never shown).
 */

/** `fail` makes doctor exit non-zero; `warn` is worth a look but the agent can run. */
export type Verdict = "ok" | "warn" | "fail";

export interface CheckResult {
  /** What kind of check: `file`, `identity`, `profile`, `gateway`, `clock`. */
  kind: string;
  /** What was checked: `gateway.ca`, `profile orders`, `wss://gw:8443/healthz`. */
  subject: string;
  verdict: Verdict;
  /** What was found: `config.yml:3:7 /etc/outpost/ca.pem does not exist`. */
  detail: string;
  /** What to do about it; absent when ok. */
  hint?: string;
}

/** `ok   file gateway.ca: /etc/outpost/ca.pem` and, when there is one, `     → what to do`. */
export function formatCheck(result: CheckResult): string {
  const label = result.verdict === "fail" ? "FAIL" : result.verdict;
  const line = `${label.padEnd(4)} ${result.kind} ${result.subject}: ${result.detail}`;
  return result.hint ? `${line}\n     → ${result.hint}` : line;
}
