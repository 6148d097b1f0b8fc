/**
 * @module
 * Maps Node/Bun file-system errors (`error.code`) to connector codes. Messages name the
 * caller's relative path, never the base folder on the agent host.
 */
import { ConnectorError, isConnectorError } from "../errors.ts";

export function mapFsError(error: unknown, rel: string): ConnectorError {
  if (isConnectorError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "";
  const at = `"${rel || "/"}"`;
  const make = (ours: ConstructorParameters<typeof ConnectorError>[0], message: string, retryable?: boolean) =>
    new ConnectorError(ours, message, { cause: error, retryable, details: { errno: code } });
  switch (code) {
    case "ENOENT":
      return make("NOT_FOUND", `${at} does not exist`);
    case "EEXIST":
      return make("ALREADY_EXISTS", `${at} already exists`);
    case "ENOTEMPTY":
      return make("ALREADY_EXISTS", `folder ${at} is not empty`);
    case "ENOSPC":
    case "EDQUOT":
    case "EFBIG":
      return make("TOO_LARGE", `no space left for ${at}`, false);
    case "EROFS":
      return make("READ_ONLY", `${at} is on a read-only file system`);
    case "EACCES":
    case "EPERM":
      return make("FORBIDDEN_PATH", `permission denied for ${at}`);
    case "ELOOP":
      return make("FORBIDDEN_PATH", `${at} goes through a symlink`);
    case "EISDIR":
      return make("BAD_REQUEST", `${at} is a folder`);
    case "ENOTDIR":
      return make("BAD_REQUEST", `a parent of ${at} is not a folder`);
    case "ENAMETOOLONG":
      return make("BAD_REQUEST", `${at} is too long`);
    case "EINVAL":
      return make("BAD_REQUEST", `invalid operation on ${at}`);
    case "EBUSY":
    case "EMFILE":
    case "ENFILE":
      return make("UNAVAILABLE", `${at} is busy`, true);
    default:
      return make("INTERNAL", `file operation on ${at} failed`);
  }
}
