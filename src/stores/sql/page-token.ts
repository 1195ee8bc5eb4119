import { invalidParameter } from "../../core/errors.js";

/**
 * Page tokens are opaque to clients: base64 of `{"offset": n}`, the same shape MLflow uses, so a token a client
 * kept from MLflow still means the same page. A token that does not decode is the client's fault (4xx), never a 500.
 */
export const encodeOffsetToken = (offset: number): string =>
  Buffer.from(JSON.stringify({ offset }), "utf8").toString("base64");

export const decodeOffsetToken = (token: string | undefined): number => {
  if (token === undefined || token === "") return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalidParameter(`Invalid page token, could not base64-decode and JSON-parse page_token '${token}'`);
  }
  const offset = typeof parsed === "object" && parsed !== null ? (parsed as { offset?: unknown }).offset : undefined;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidParameter(`Invalid page token '${token}': page_token must carry a non-negative integer offset`);
  }
  return offset;
};

/** Queries fetch one row beyond the page: its presence, not a full page, decides whether there is a next page. */
export const pageOf = <T>(rows: T[], offset: number, maxResults: number): { items: T[]; nextPageToken?: string } =>
  rows.length > maxResults
    ? { items: rows.slice(0, maxResults), nextPageToken: encodeOffsetToken(offset + maxResults) }
    : { items: rows };
