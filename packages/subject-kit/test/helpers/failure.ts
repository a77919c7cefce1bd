import { isOperatorError, ObservationError } from "@operator/core";
import { expect } from "vitest";

/** Awaits a promise that must reject with an {@link ObservationError}, and returns that error. */
export async function failure(promise: Promise<unknown>): Promise<ObservationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ObservationError);
  expect(isOperatorError(error)).toBe(true);
  return error as ObservationError;
}
