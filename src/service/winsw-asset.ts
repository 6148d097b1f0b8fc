/**
 * @module
 * WinSW 1.17 (MIT), shipped by the npm package node-windows and embedded in the binary:
 * `bun build --compile` copies the file in and this import yields a path `Bun.file()`
 * can read. Only windows.ts loads this module, and only when a service is installed.
 */
import winsw from "node-windows/bin/winsw/winsw.exe" with { type: "file" };

export const WINSW_EXE: string = winsw;
