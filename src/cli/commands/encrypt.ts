/**
 * @module
 * `outpost encrypt`: turns a secret into `{encrypted: 'ov1:...'}` to paste into config.yml.
 * The key is `OUTPOST_SECRET_KEY` or the key file (`secrets.key_file`, else `secret.key`
 * beside config.yml), created on first use. The secret is typed twice without echo, or
 * piped once with `--stdin`; it is never printed or logged.
 */
import { cmd, type GlobalOptions } from "../command.ts";
import { UsageError } from "../errors.ts";

interface EncryptOptions extends GlobalOptions {
  stdin: boolean;
  "key-file"?: string;
}

export const encryptCommand = cmd<GlobalOptions, EncryptOptions>({
  command: "encrypt",
  describe: "Encrypt a secret for config.yml with the group's secret key",
  builder: (yargs) =>
    yargs
      .option("stdin", { type: "boolean", default: false, describe: "Read the secret from stdin instead of the terminal" })
      .option("key-file", { type: "string", describe: "Key file (defaults to secrets.key_file, else secret.key beside config.yml)" }),
  handler: async (args) => {
    const { encryptValue } = await import("../../crypto/secretbox.ts");
    const { keyFilePath, loadSecretKey } = await import("../../crypto/key-file.ts");
    const { readHidden, readStdin } = await import("../read-secret.ts");
    const secret = args.stdin ? await readStdin() : await readTwice(readHidden);
    if (secret === "") throw new UsageError("the secret is empty");
    const path = args["key-file"] ?? keyFilePath(args.config, await configuredKeyFile(args.config));
    const key = await loadSecretKey({ path, create: true });
    if (key.created) process.stderr.write(`outpost: created secret key file ${key.path}; copy it to every agent of this group\n`);
    else process.stderr.write(`outpost: using the secret key from ${key.source === "env" ? "OUTPOST_SECRET_KEY" : key.path}\n`);
    process.stdout.write(`{encrypted: '${await encryptValue(secret, key.key)}'}\n`);
  },
});

async function readTwice(readHidden: (prompt: string) => Promise<string>): Promise<string> {
  const first = await readHidden("Secret: ");
  const second = await readHidden("Again: ");
  if (first !== second) throw new UsageError("the two entries differ; nothing was encrypted");
  return first;
}

/** `secrets.key_file` from config.yml when the file exists and says so; the rest of the file is not checked here. */
async function configuredKeyFile(configPath: string): Promise<string | undefined> {
  const { readRawConfig } = await import("../../config/raw.ts");
  try {
    const keyFile = (readRawConfig(configPath) as { secrets?: { key_file?: unknown } }).secrets?.key_file;
    return typeof keyFile === "string" && keyFile !== "" ? keyFile : undefined;
  } catch {
    return undefined;
  }
}
