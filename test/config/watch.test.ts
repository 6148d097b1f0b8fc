import { expect, test } from "bun:test";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/config/errors.ts";
import type { LoadedConfig } from "../../src/config/load.ts";
import { watchConfig } from "../../src/config/watch.ts";

/** Resolves with the next event the watcher reports. */
function nextEvent(events: Array<LoadedConfig | unknown>, waiters: Array<() => void>) {
  return new Promise<LoadedConfig | unknown>((resolve) => {
    const check = () => (events.length > 0 ? resolve(events.shift()) : waiters.push(check));
    check();
  });
}

test("autoReload: a good edit applies, a bad edit keeps the last good config and says why", async () => {
  const dir = mkdtempSync(join(tmpdir(), "outpost-watch-"));
  const path = join(dir, "config.yml");
  writeFileSync(path, "autoReload: true\nfiles:\n  docs:\n    base: /srv/a\n");
  const events: unknown[] = [];
  const waiters: Array<() => void> = [];
  const push = (event: unknown) => {
    events.push(event);
    waiters.splice(0).forEach((w) => w());
  };
  let current: LoadedConfig | undefined;
  const stop = watchConfig(path, {
    env: {},
    debounceMs: 50,
    onChange: (loaded) => {
      current = loaded;
      push(loaded);
    },
    onError: push,
  });
  try {
    // A good edit written in place.
    writeFileSync(path, "autoReload: true\nfiles:\n  docs:\n    base: /srv/b\n");
    const good = (await nextEvent(events, waiters)) as LoadedConfig;
    expect(good.config.files?.docs?.base).toBe("/srv/b");

    // A bad edit: the error says exactly what and where; the good config stays.
    writeFileSync(path, "autoReload: true\nfiles:\n  docs:\n    base: 42\n");
    const bad = await nextEvent(events, waiters);
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as ConfigError).message).toBe(`${path}:4:11 files.docs.base: must be a string`);
    expect(current?.config.files?.docs?.base).toBe("/srv/b");

    // Editors that save by renaming a temp file over the original are seen too.
    writeFileSync(join(dir, "config.yml.tmp"), "autoReload: true\nfiles:\n  docs:\n    base: /srv/c\n");
    renameSync(join(dir, "config.yml.tmp"), path);
    const renamed = (await nextEvent(events, waiters)) as LoadedConfig;
    expect(renamed.config.files?.docs?.base).toBe("/srv/c");
    expect(current?.config.files?.docs?.base).toBe("/srv/c");
  } finally {
    stop();
  }
});
