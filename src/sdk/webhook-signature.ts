import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Checks a Cairn webhook delivery as a receiver gets it: X-Cairn-Signature is "sha256=" + the hex HMAC-SHA256 of
 * "<X-Cairn-Timestamp>.<raw body>" keyed with the subscription's secret. The timestamp is signed too, so rejecting
 * timestamps older than `toleranceSeconds` also rejects a captured delivery replayed later. Pass the body exactly as
 * received (bytes or text), before any JSON parsing: re-serialised JSON does not hash the same.
 * Returns false for a wrong, malformed or stale signature; the comparison takes the same time wherever it differs.
 */
export const verifyWebhookSignature = (
  secret: string,
  timestamp: string | number,
  rawBody: string | Uint8Array,
  signatureHeader: string | undefined,
  toleranceSeconds = 300,
  nowMs: number = Date.now(),
): boolean => {
  if (typeof signatureHeader !== "string" || secret === "") return false;
  const timestampText = String(timestamp).trim();
  if (!/^\d{1,15}$/.test(timestampText)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestampText)) > toleranceSeconds) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader.trim());
  if (!match?.[1]) return false;
  const expected = createHmac("sha256", secret).update(`${timestampText}.`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], "hex"));
};

/** The X-Cairn-Signature value for a body: for tests and for tools that replay deliveries to a receiver. */
export const signWebhookPayload = (secret: string, timestamp: string | number, rawBody: string | Uint8Array): string =>
  `sha256=${createHmac("sha256", secret).update(`${String(timestamp).trim()}.`).update(rawBody).digest("hex")}`;

/**
 * Checks a delivery of a webhook created through MLflow's webhook API (/api/2.0/mlflow/webhooks), as MLflow's
 * receivers do: X-MLflow-Signature is "v1," + the base64 HMAC-SHA256 of
 * "<X-MLflow-Delivery-Id>.<X-MLflow-Timestamp>.<raw body>" keyed with the webhook's secret. Same rules as
 * verifyWebhookSignature: raw body, stale timestamps refused, constant-time comparison, false for anything malformed.
 */
export const verifyMlflowWebhookSignature = (
  secret: string,
  deliveryId: string | undefined,
  timestamp: string | number | undefined,
  rawBody: string | Uint8Array,
  signatureHeader: string | undefined,
  toleranceSeconds = 300,
  nowMs: number = Date.now(),
): boolean => {
  if (typeof signatureHeader !== "string" || typeof deliveryId !== "string" || deliveryId === "" || secret === "") return false;
  const timestampText = String(timestamp ?? "").trim();
  if (!/^\d{1,15}$/.test(timestampText)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestampText)) > toleranceSeconds) return false;
  const match = /^v1,([A-Za-z0-9+/]{43}=)$/.exec(signatureHeader.trim());
  if (!match?.[1]) return false;
  const expected = createHmac("sha256", secret).update(`${deliveryId}.${timestampText}.`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], "base64"));
};

/** The X-MLflow-Signature value for a body (tests, tools that replay deliveries). */
export const signMlflowWebhookPayload = (secret: string, deliveryId: string, timestamp: string | number, rawBody: string | Uint8Array): string =>
  `v1,${createHmac("sha256", secret).update(`${deliveryId}.${String(timestamp).trim()}.`).update(rawBody).digest("base64")}`;
