import { isObjectHash } from "../data/hash-info.js";
import { DATA_VERSION_SOURCE_TYPE, dataVersionUri } from "../tracking/repro-tracker.js";

/**
 * Reading a data version back out of an MLflow dataset input: source_type `cairn-data`, source
 * `{"uri":"cairn-data://sha256/<hash>"}` (see repro-tracker.ts). Anything else is not a data version.
 */
export const CAIRN_DATA_SOURCE_TYPE = DATA_VERSION_SOURCE_TYPE;

const URI_PREFIX = dataVersionUri("");

/** The hash a dataset source names, or undefined when it names none (malformed JSON, another scheme, a bad hash). */
export const dataHashOfSource = (source: string): string | undefined => {
  if (source.length > 4096) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return undefined;
  }
  const uri = (parsed as { uri?: unknown } | null)?.uri;
  if (typeof uri !== "string" || !uri.startsWith(URI_PREFIX)) return undefined;
  const hash = uri.slice(URI_PREFIX.length);
  return isObjectHash(hash) ? hash : undefined;
};
