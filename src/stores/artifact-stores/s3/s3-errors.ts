import { CairnError, ErrorCode } from "../../../core/errors.js";

/**
 * How the store reads the SDK's errors. Anything that is not an answer about the object itself (S3 answering 5xx
 * after the SDK's retries, a timeout, a refused connection, throttling) becomes TEMPORARILY_UNAVAILABLE (503): the
 * client may retry, and the store recovers by itself once S3 answers again (every request opens or reuses a
 * connection afresh). The message names the operation, never the credentials.
 */
interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: "client" | "server";
}

const shape = (error: unknown): SdkErrorShape => (typeof error === "object" && error !== null ? (error as SdkErrorShape) : {});

export const s3StatusOf = (error: unknown): number | undefined => shape(error).$metadata?.httpStatusCode;

export const s3ErrorName = (error: unknown): string => shape(error).name ?? shape(error).code ?? "";

export const isS3NotFound = (error: unknown): boolean => {
  const name = s3ErrorName(error);
  return name === "NoSuchKey" || name === "NotFound" || (s3StatusOf(error) === 404 && name !== "NoSuchBucket" && name !== "NoSuchUpload");
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"]);

const isUnavailable = (error: unknown): boolean => {
  const name = s3ErrorName(error);
  const status = s3StatusOf(error);
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (name === "TimeoutError" || name === "RequestTimeout" || name === "SlowDown" || name === "ServiceUnavailable") return true;
  if (NETWORK_CODES.has(shape(error).code ?? "")) return true;
  // Errors of the HTTP layer (no status at all) are the connection's, not S3's answer.
  return status === undefined && shape(error).$fault !== "client" && error instanceof Error && !(error instanceof CairnError) && name !== "AbortError";
};

/** Converts an SDK error into the CairnError the HTTP layer answers; CairnErrors pass through. */
export const toS3StoreError = (error: unknown, operation: string): unknown => {
  if (error instanceof CairnError) return error;
  if (isUnavailable(error)) {
    return new CairnError(
      ErrorCode.TEMPORARILY_UNAVAILABLE,
      `The artifact store (S3) is unavailable: ${operation} failed (${s3ErrorName(error) || "connection error"}); retry later.`,
      { cause: error },
    );
  }
  const name = s3ErrorName(error);
  if (name === "AccessDenied" || name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch" || name === "NoSuchBucket") {
    // The server's configuration is wrong, not the request: a 500 the operator sees in the log, not a client error.
    return new CairnError(ErrorCode.INTERNAL_ERROR, `The artifact store (S3) refused ${operation}: ${name}.`, { cause: error });
  }
  return error;
};
