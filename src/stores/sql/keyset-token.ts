import { invalidParameter } from "../../core/errors.js";

/**
 * Page tokens of keyset-paged lists (audit events, webhook deliveries, predictions, monitor results): the sort key
 * of the last row served, as integers, so the next page continues after it however rows are inserted meanwhile.
 * Opaque to clients (base64url of a JSON array), so the layout can change without breaking them.
 */
export const encodeKeysetToken = (key: readonly number[]): string => Buffer.from(JSON.stringify(key)).toString("base64url");

/** The `arity` integers of a token this server issued for `endpoint`; anything else is a 400 naming the endpoint. */
export const decodeKeysetToken = (token: string, arity: number, endpoint: string): number[] => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === arity && parsed.every((value) => Number.isSafeInteger(value) && value >= 0)) {
      return parsed as number[];
    }
  } catch {
    // not base64url JSON: refused below
  }
  throw invalidParameter(`Invalid page_token '${token.slice(0, 100)}': not a token returned by ${endpoint}.`);
};
