/**
 * @module
 * `outpost version`: what a bug report needs — our version, Bun's, and the platform.
 */
import { cmd } from "../command.ts";
import { VERSION } from "../version.ts";

export const versionCommand = cmd({
  command: "version",
  describe: "Print the Outpost version, the Bun version and the platform",
  handler: () => {
    process.stdout.write(`outpost ${VERSION}\nbun ${Bun.version}\n${process.platform}/${process.arch}\n`);
  },
});
