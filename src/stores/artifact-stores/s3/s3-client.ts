import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { S3Client } from "@aws-sdk/client-s3";
import type { S3Settings } from "../../../core/s3-settings.js";

/**
 * One S3 client per store. Retries are the SDK's (standard mode, bounded attempts with backoff), so a 500 or a
 * dropped connection is retried where it is safe and then surfaces as an error the store maps to a 503.
 * Flexible checksums are computed only where S3 requires them: the default (a CRC32 trailer on every upload, sent
 * as aws-chunked encoding) is not understood by most S3-compatible servers, and the store hashes the bytes itself.
 */
export interface S3ClientTuning {
  /** Attempts per request, the first included; default 3. */
  maxAttempts?: number;
  /** Socket idle time before a request fails (ms); default 30 s. */
  requestTimeoutMs?: number;
  /** Time to open a connection (ms); default 5 s. */
  connectionTimeoutMs?: number;
}

export const createS3Client = (settings: S3Settings, tuning: S3ClientTuning = {}): S3Client => {
  const keepAlive = { keepAlive: true, maxSockets: 64 };
  return new S3Client({
    region: settings.region,
    ...(settings.endpointUrl !== undefined ? { endpoint: settings.endpointUrl, forcePathStyle: true } : {}),
    ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
    maxAttempts: tuning.maxAttempts ?? 3,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      requestTimeout: tuning.requestTimeoutMs ?? 30_000,
      connectionTimeout: tuning.connectionTimeoutMs ?? 5_000,
      httpAgent: new HttpAgent(keepAlive),
      httpsAgent: new HttpsAgent({ ...keepAlive, ...(settings.ignoreTls ? { rejectUnauthorized: false } : {}) }),
    },
  });
};
