/** @module The error a connector call failed with, for tests that check codes and messages. */
import { expect } from "bun:test";
import { ConnectorError } from "../../src/connectors/errors.ts";

/** Awaits `promise`, expects it to reject with a ConnectorError, and returns that error. */
export async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error("expected the call to fail");
}
