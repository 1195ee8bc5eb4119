/**
 * The one error class of Cairn. Every failure that reaches a client is a CairnError with an MLflow error code;
 * anything else is converted once, at the HTTP edge, into INTERNAL_ERROR (and logged with its cause).
 */
export const ErrorCode = {
  INVALID_PARAMETER_VALUE: "INVALID_PARAMETER_VALUE",
  BAD_REQUEST: "BAD_REQUEST",
  MALFORMED_REQUEST: "MALFORMED_REQUEST",
  RESOURCE_ALREADY_EXISTS: "RESOURCE_ALREADY_EXISTS",
  RESOURCE_DOES_NOT_EXIST: "RESOURCE_DOES_NOT_EXIST",
  ENDPOINT_NOT_FOUND: "ENDPOINT_NOT_FOUND",
  INVALID_STATE: "INVALID_STATE",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  REQUEST_LIMIT_EXCEEDED: "REQUEST_LIMIT_EXCEEDED",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  INTERNAL_ERROR: "INTERNAL_ERROR",
  TEMPORARILY_UNAVAILABLE: "TEMPORARILY_UNAVAILABLE",
  NOT_IMPLEMENTED: "NOT_IMPLEMENTED",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status per code. Typed as a full Record so that a new code without a status fails to compile. */
export const httpStatusByCode: Record<ErrorCode, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  MALFORMED_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  INVALID_STATE: 400,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  NOT_IMPLEMENTED: 501,
};

export class CairnError extends Error {
  readonly code: ErrorCode;
  /** Overrides the status of the code where a protocol needs another one (for example 413 for a too-large body). */
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CairnError";
    this.code = code;
    this.status = options?.status ?? httpStatusByCode[code];
  }

  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.code, message: this.message };
  }
}

export const invalidParameter = (message: string): CairnError =>
  new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, message);

export const notFound = (message: string): CairnError => new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, message);

export const alreadyExists = (message: string): CairnError =>
  new CairnError(ErrorCode.RESOURCE_ALREADY_EXISTS, message);

export const isCairnError = (value: unknown): value is CairnError => value instanceof CairnError;
