/**
 * @module
 * What the session needs from the connection under it: send one frame as one binary
 * message, report how much is still queued, close. Adapters for Bun's WebSocket client and
 * server live beside this file; tests use `memory-connection.ts`.
 */

export interface FrameTransport {
  /** Sends one frame as one binary message. Must not throw once closed; it may drop. */
  send(frame: Uint8Array): void;
  /** Bytes queued by `send` but not yet written to the network. */
  readonly bufferedAmount: number;
  /** Closes the connection with a WebSocket close code and a short reason. */
  close(code: number, reason: string): void;
}
