import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * X-Cairn-Signature: "sha256=" + hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the subscription's secret.
 * The timestamp is inside the signed text so that a receiver that rejects old timestamps also rejects replays.
 */
export const SIGNATURE_PREFIX = "sha256=";

export const signBody = (secret: string, timestampSeconds: number, body: string): string =>
  SIGNATURE_PREFIX + createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex");

/** For receivers written in TypeScript (and the tests): constant-time comparison of a received signature. */
export const verifySignature = (secret: string, timestampSeconds: string | number, body: string, signature: string): boolean => {
  const expected = Buffer.from(signBody(secret, Number(timestampSeconds), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
};
