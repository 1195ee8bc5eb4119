import { CairnError, ErrorCode } from "../../../core/errors.js";
import { normaliseArtifactPath } from "../../../artifacts/artifact-path.js";

/** An artifacts destination `s3://BUCKET/PREFIX`, parsed and checked once at start-up. */
export interface S3Destination {
  bucket: string;
  /** Normalised, without slashes at either end; "" for the bucket's root. */
  prefix: string;
}

// S3's bucket naming rules (3-63 characters, lower case, digits, dots, hyphens, starting and ending alphanumeric).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const configError = (message: string): CairnError => new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, message);

export const isS3Destination = (destination: string): boolean => /^s3:\/\//i.test(destination);

export const parseS3Destination = (destination: string, flag = "--artifacts-destination"): S3Destination => {
  const shown = JSON.stringify(destination.length > 200 ? `${destination.slice(0, 200)}...` : destination);
  if (!isS3Destination(destination)) throw configError(`${flag} ${shown} is not an s3://BUCKET/PREFIX URI`);
  const rest = destination.slice("s3://".length);
  if (/[?#]/.test(rest)) throw configError(`${flag} ${shown}: query strings and fragments are not allowed (expected s3://BUCKET/PREFIX)`);
  const slash = rest.indexOf("/");
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (bucket.includes("@") || bucket.includes(":")) {
    throw configError(`${flag} ${shown}: credentials and ports do not belong in the URI; use AWS_ACCESS_KEY_ID and MLFLOW_S3_ENDPOINT_URL`);
  }
  if (!BUCKET.test(bucket) || bucket.includes("..")) {
    throw configError(`${flag} ${shown}: '${bucket.slice(0, 80)}' is not a valid bucket name (3-63 lower-case letters, digits, '.' and '-')`);
  }
  let prefix: string;
  try {
    prefix = normaliseArtifactPath(slash === -1 ? "" : rest.slice(slash + 1), "prefix", { allowRoot: true });
  } catch (error) {
    throw configError(`${flag} ${shown}: the prefix is not a valid path (${error instanceof Error ? error.message : String(error)})`);
  }
  return { bucket, prefix };
};

export const formatS3Destination = (destination: S3Destination): string =>
  destination.prefix === "" ? `s3://${destination.bucket}` : `s3://${destination.bucket}/${destination.prefix}`;
