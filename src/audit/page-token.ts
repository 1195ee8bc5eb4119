import { invalidParameter } from "../core/errors.js";

/** Audit pages continue after the last seq returned; the token hides that so that it can change without breaking clients. */
export const encodeAuditPageToken = (afterSeq: number): string =>
  Buffer.from(JSON.stringify({ after_seq: afterSeq })).toString("base64url");

export const decodeAuditPageToken = (token: string): number => {
  let afterSeq: unknown;
  try {
    afterSeq = (JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after_seq?: unknown }).after_seq;
  } catch {
    afterSeq = undefined;
  }
  if (typeof afterSeq !== "number" || !Number.isSafeInteger(afterSeq) || afterSeq < 0) {
    throw invalidParameter(`Invalid page_token '${token}': not a token returned by audit/events`);
  }
  return afterSeq;
};
