import { CairnApiError } from "../errors.js";

/** What a test asserts of a refusal the SDK surfaced. */
export interface ApiErrorSeen {
  status: number;
  errorCode: string;
  message: string;
}

/** The CairnApiError a call rejects with; throws (failing the test) when it resolves or rejects with anything else. */
export const apiErrorOf = async (promise: Promise<unknown>): Promise<ApiErrorSeen> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CairnApiError)) throw new Error(`expected a CairnApiError, got ${String(error)}`);
  return { status: error.status, errorCode: error.errorCode, message: error.message };
};
