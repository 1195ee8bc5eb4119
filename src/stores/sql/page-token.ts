import { decodePageToken, encodePageToken } from "../../tracking/search/page-token.js";

/** Offset-based paging over the shared page token format (src/tracking/search/page-token.ts). */
export const decodeOffsetToken = (token: string | undefined): number => decodePageToken(token);

/** Queries fetch one row beyond the page: its presence, not a full page, decides whether there is a next page. */
export const pageOf = <T>(rows: T[], offset: number, maxResults: number): { items: T[]; nextPageToken?: string } =>
  rows.length > maxResults
    ? { items: rows.slice(0, maxResults), nextPageToken: encodePageToken(offset + maxResults) }
    : { items: rows };
