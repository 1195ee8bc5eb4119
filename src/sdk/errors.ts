/**
 * Failures the SDK reports. A server answer that is an error becomes a CairnApiError carrying MLflow's error code;
 * a request that never got an answer (after retries) becomes a CairnConnectionError with the network cause.
 */
export class CairnApiError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;
  /** MLflow error code from the body (e.g. RESOURCE_DOES_NOT_EXIST); "HTTP_<status>" when the body had none. */
  readonly errorCode: string;
  /** Method and path of the request, for messages that say what failed. */
  readonly request: string;

  constructor(status: number, errorCode: string, message: string, request: string) {
    super(message);
    this.name = "CairnApiError";
    this.status = status;
    this.errorCode = errorCode;
    this.request = request;
  }

  /** Snake-case alias: the field name of the wire body, for code ported from MLflow clients. */
  get error_code(): string {
    return this.errorCode;
  }
}

export class CairnConnectionError extends Error {
  readonly request: string;

  constructor(message: string, request: string, cause: unknown) {
    super(message, { cause });
    this.name = "CairnConnectionError";
    this.request = request;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** Builds the error for a non-2xx answer from its body text, which is MLflow's {error_code, message} when it can be. */
export const apiErrorFromBody = (status: number, bodyText: string, request: string): CairnApiError => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  if (isObject(parsed) && typeof parsed.error_code === "string") {
    const message = typeof parsed.message === "string" ? parsed.message : "";
    return new CairnApiError(status, parsed.error_code, message, request);
  }
  const snippet = bodyText.trim().slice(0, 200);
  return new CairnApiError(status, `HTTP_${status}`, snippet === "" ? `HTTP ${status}` : snippet, request);
};
