/**
 * @module
 * Calls back when the store may have changed, only while someone needs to know. The alert
 * rules need to see an operator's changes that no connection event announces: an agent
 * that went away while disabled being enabled again (its grace period starts then), or an
 * agent away during its grace being disabled (no alert). `changeVersion()` is synchronous
 * and cheap (it also moves on writes from the CLI in another process, within 200 ms), so
 * polling it every 250 ms costs nothing; the store is read only when it moved.
 */
import type { GatewayStore } from "../store/store.ts";

export class StoreWatch {
  readonly #store: Pick<GatewayStore, "changeVersion">;
  readonly #onChange: () => void;
  readonly #pollMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #seen = 0;

  /** `pollMs` defaults to 250. */
  constructor(options: { store: Pick<GatewayStore, "changeVersion">; onChange: () => void; pollMs?: number }) {
    this.#store = options.store;
    this.#onChange = options.onChange;
    this.#pollMs = options.pollMs ?? 250;
  }

  /** Watches while `needed`; stops polling when nothing is left to watch. */
  update(needed: boolean): void {
    if (needed && this.#timer === undefined) {
      this.#seen = this.#store.changeVersion();
      this.#timer = setInterval(() => {
        const version = this.#store.changeVersion();
        if (version === this.#seen) return;
        this.#seen = version;
        this.#onChange();
      }, this.#pollMs);
    } else if (!needed && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
