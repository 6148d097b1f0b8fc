/**
 * @module
 * Delivers alerts to webhooks: one POST per URL, retried with full-jitter exponential
 * backoff on network errors, timeouts, 429 and 5xx (a 4xx other than 429 means the
 * receiver refuses this body; asking again will not help). Every POST becomes a
 * `Delivery` in a per-group log of the last few, which the console and
 * `GET /v1/groups/{group}/alerts` show. Webhook URLs never reach the log in full.
 */
import type { Logger } from "../../log/logger.ts";
import { LabeledCounter } from "../../log/prometheus-text.ts";
import { alertBody, redactWebhook, webhookTarget } from "./alert-format.ts";
import type { Alert, Delivery } from "./alert-types.ts";

export interface AlertSenderOptions {
  log: Logger;
  /** Attempts per webhook, the first included. Defaults to 5. */
  attempts?: number;
  /** First retry waits up to this long, doubling each time. Defaults to 1,000 ms. */
  baseDelayMs?: number;
  /** Longest wait between attempts. Defaults to 60,000 ms. */
  maxDelayMs?: number;
  /** One attempt's time limit. Defaults to 10,000 ms. */
  timeoutMs?: number;
  /** Deliveries kept per group. Defaults to 50. */
  keep?: number;
  /** Told about every delivery when it starts and when it ends. Defaults to none. */
  onDelivery?: (delivery: Delivery) => void;
  /** Injected for tests. Defaults to `Math.random`. */
  random?: () => number;
  /** Injected for tests. Defaults to `Date.now`. */
  now?: () => number;
}

export class AlertSender {
  /** Finished deliveries by group and outcome (`delivered`, `failed`), for `/metrics`. */
  readonly outcomes = new LabeledCounter();
  readonly #log: Logger;
  readonly #attempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #keep: number;
  readonly #onDelivery: (delivery: Delivery) => void;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #byGroup = new Map<string, Delivery[]>();
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = new AbortController();

  constructor(options: AlertSenderOptions) {
    this.#log = options.log;
    this.#attempts = options.attempts ?? 5;
    this.#baseDelayMs = options.baseDelayMs ?? 1000;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#keep = options.keep ?? 50;
    this.#onDelivery = options.onDelivery ?? (() => {});
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** Starts delivering `alert` to every URL; resolves when all are delivered or given up. */
  send(alert: Alert, webhooks: readonly string[]): Promise<void> {
    const work = Promise.all(webhooks.map((url) => this.#deliver(alert, url))).then(() => {});
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
    return work;
  }

  /** The group's last deliveries, newest first. */
  deliveries(group: string): Delivery[] {
    return [...(this.#byGroup.get(group) ?? [])].reverse().map((delivery) => ({ ...delivery }));
  }

  /** Abandons retries still waiting (the gateway is stopping). */
  async stop(): Promise<void> {
    this.#stopped.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #deliver(alert: Alert, webhook: string): Promise<void> {
    const { url, format } = webhookTarget(webhook);
    const delivery: Delivery = {
      id: crypto.randomUUID(),
      group: alert.group,
      event: alert.event,
      summary: alert.summary,
      target: redactWebhook(webhook),
      format,
      status: "pending",
      attempts: 0,
      httpStatus: null,
      error: null,
      createdAt: this.#now(),
      finishedAt: null,
    };
    this.#remember(delivery);
    this.#onDelivery({ ...delivery });
    const body = JSON.stringify(alertBody(alert, format));
    while (delivery.attempts < this.#attempts && !this.#stopped.signal.aborted) {
      delivery.attempts++;
      const retry = await this.#attempt(url, body, delivery);
      if (!retry) break;
      if (delivery.attempts < this.#attempts) await this.#sleep(this.#backoff(delivery.attempts));
    }
    if (delivery.status === "pending") delivery.status = "failed";
    delivery.finishedAt = this.#now();
    this.outcomes.add({ group: alert.group, outcome: delivery.status });
    const fields = { group: alert.group, event: alert.event, target: delivery.target, attempts: delivery.attempts };
    if (delivery.status === "delivered") this.#log.info("alert delivered", fields);
    else this.#log.warn("alert delivery failed", { ...fields, httpStatus: delivery.httpStatus, error: delivery.error });
    this.#onDelivery({ ...delivery });
  }

  /** One POST; returns whether another attempt may succeed. */
  async #attempt(url: string, body: string, delivery: Delivery): Promise<boolean> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#stopped.signal]);
    try {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "user-agent": "outpost-gateway" }, body, signal, redirect: "manual" });
      await response.arrayBuffer().catch(() => undefined);
      delivery.httpStatus = response.status;
      if (response.status >= 200 && response.status < 300) {
        delivery.status = "delivered";
        delivery.error = null;
        return false;
      }
      delivery.error = `the webhook answered ${response.status}`;
      return response.status === 429 || response.status >= 500;
    } catch (error) {
      delivery.httpStatus = null;
      // The fetch error may quote the URL, whose path can be a secret: keep only its kind.
      delivery.error = error instanceof Error && error.name === "TimeoutError" ? "timed out" : "could not reach the webhook";
      return true;
    }
  }

  #backoff(attempt: number): number {
    return this.#random() * Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#stopped.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }

  #remember(delivery: Delivery) {
    const list = this.#byGroup.get(delivery.group) ?? [];
    list.push(delivery);
    if (list.length > this.#keep) list.splice(0, list.length - this.#keep);
    this.#byGroup.set(delivery.group, list);
  }
}
