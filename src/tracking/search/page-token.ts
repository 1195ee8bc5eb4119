import { invalidParameter } from "../../core/errors.js";

/**
 * The opaque page token of every Cairn search: base64url of `{"offset": n}`. Clients never look inside (MLflow's
 * contract); keeping the format this small lets any store page with OFFSET. One implementation, used by all stores.
 */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), "utf8").toString("base64url");
}

/** Offset of a token; 0 without one. A token that is not one of ours is INVALID_PARAMETER_VALUE. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  const invalid = (): Error => invalidParameter(`Invalid page token '${token.slice(0, 100)}'`);
  // Standard base64 (MLflow's own tokens) decodes too: "+/" are mapped, padding is ignored.
  if (token.length > 200 || !/^[A-Za-z0-9_+/=-]+$/.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token.replace(/\+/g, "-").replace(/\//g, "_"), "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) throw invalid();
  return offset;
}
