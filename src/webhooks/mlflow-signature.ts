import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * X-MLflow-Signature, as MLflow's webhook delivery writes it (mlflow/webhooks/delivery.py, _generate_hmac_signature):
 * "v1," + base64 of HMAC-SHA256 over "<X-MLflow-Delivery-Id>.<X-MLflow-Timestamp>.<raw body>" keyed with the
 * webhook's secret (UTF-8). The delivery id is signed too, so a receiver that dedupes on it cannot be fooled by a
 * body replayed under another id.
 */
export const MLFLOW_SIGNATURE_VERSION = "v1";

export const signMlflowBody = (secret: string, deliveryId: string, timestampSeconds: number | string, body: string): string =>
  `${MLFLOW_SIGNATURE_VERSION},${createHmac("sha256", secret).update(`${deliveryId}.${timestampSeconds}.${body}`).digest("base64")}`;

/** Constant-time check of a received X-MLflow-Signature (for TypeScript receivers and the tests). */
export const verifyMlflowSignature = (
  secret: string,
  deliveryId: string,
  timestampSeconds: number | string,
  body: string,
  signature: string,
): boolean => {
  const expected = Buffer.from(signMlflowBody(secret, deliveryId, timestampSeconds, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
};
