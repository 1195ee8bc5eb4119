import { CairnError, ErrorCode } from "./errors.js";

/**
 * How to reach an S3-compatible object store, from MLflow's variables. The CLI reads them once from the environment
 * and hands this to the server; nothing deeper reads the environment. The secret travels only to the SDK's signer:
 * never log this object (describeS3Settings shows it safely).
 */
export interface S3Settings {
  /** MLFLOW_S3_ENDPOINT_URL: an S3-compatible server (MinIO, Ceph, s3rver); addressing is then path-style. */
  endpointUrl?: string;
  /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; absent: the SDK's default chain (profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** AWS_REGION (or AWS_DEFAULT_REGION); default us-east-1. */
  region: string;
  /** MLFLOW_S3_IGNORE_TLS=true: accept any TLS certificate of the endpoint (self-signed test servers). */
  ignoreTls?: boolean;
}

const configError = (message: string): CairnError => new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, message);

const isTrue = (value: string | undefined): boolean => value !== undefined && /^(true|1|yes)$/i.test(value.trim());

export const s3SettingsFromEnv = (env: NodeJS.ProcessEnv): S3Settings => {
  const endpoint = env.MLFLOW_S3_ENDPOINT_URL?.trim();
  if (endpoint !== undefined && endpoint !== "") {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw configError(`MLFLOW_S3_ENDPOINT_URL '${endpoint.slice(0, 200)}' is not a URL (expected http(s)://HOST:PORT)`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw configError("MLFLOW_S3_ENDPOINT_URL must be an http:// or https:// URL");
    if (url.username !== "" || url.password !== "") throw configError("MLFLOW_S3_ENDPOINT_URL must not hold credentials; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw configError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  return {
    ...(endpoint ? { endpointUrl: endpoint } : {}),
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || "us-east-1",
    ...(isTrue(env.MLFLOW_S3_IGNORE_TLS) ? { ignoreTls: true } : {}),
  };
};

/** What may be logged: the endpoint and region, whether credentials are set, never their values. */
export const describeS3Settings = (settings: S3Settings): Record<string, string | boolean> => ({
  endpoint: settings.endpointUrl ?? "aws",
  region: settings.region,
  credentials: settings.credentials ? "environment" : "default chain",
  ...(settings.ignoreTls ? { ignoreTls: true } : {}),
});
