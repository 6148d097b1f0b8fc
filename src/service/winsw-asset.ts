/**
 * @module
 * WinSW (MIT; from the npm package node-windows), embedded in the Windows executables by
 * the build (`build/winsw.ts`) as an extra file. Other builds do not carry it.
 */

/** The embedded winsw.exe, or undefined in a build that does not carry it. */
export function embeddedWinswExe(): Blob | undefined {
  return Bun.embeddedFiles.find((file) => (file as Blob & { name?: string }).name?.startsWith("winsw"));
}
