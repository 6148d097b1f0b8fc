/**
 * @module
 * Key rotation (`outpost keys rotate`): the agent asks the gateway over HTTPS to accept a
 * new public key, signing this transcript with its current key and, as proof of
 * possession, with the new one. The timestamp bounds replays to the gateway's window.
 */

export const ROTATE_KEY_PATH = "/v1/agent/rotate-key";

/** Where agents open their tunnel WebSocket on the gateway. */
export const AGENT_CONNECT_PATH = "/v1/agent/connect";

export interface RotateKeyRequest {
  agentId: string;
  /** Base64 Ed25519 public key. */
  newPublicKey: string;
  /** Epoch ms; the gateway accepts ±5 minutes. */
  issuedAt: number;
  /** Base64 signature of the transcript by the current key. */
  signature: string;
  /** Base64 signature of the transcript by the new key. */
  proof: string;
}

export function rotationTranscript(agentId: string, newPublicKey: string, issuedAt: number): Uint8Array {
  return new TextEncoder().encode(`outpost-rotate-v1\u0000${agentId}\u0000${newPublicKey}\u0000${issuedAt}`);
}
