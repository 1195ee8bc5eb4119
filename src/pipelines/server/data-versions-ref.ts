import { type DatasetInput, SystemTag } from "../../protocol/mlflow/entities.js";
import { isObjectHash } from "../data/hash-info.js";
import { DATA_CONTEXT_OUTPUT, DATA_VERSION_SOURCE_TYPE, dataVersionUri } from "../tracking/repro-tracker.js";
import type { DataVersionRelation } from "./data-versions-store.js";

/**
 * A data version as a run recorded it in its dataset inputs (repro-tracker.ts): source_type `cairn-data`, source
 * `{"uri": "cairn-data://sha256/<hash>"}`, digest the hash's first 32 hex, name the workspace-relative path, and the
 * input tag mlflow.data.context saying whether the run produced it (cairn.output) or used it (anything else).
 * Anything that does not parse exactly is an ordinary dataset, never a data version.
 */
export interface DataVersionRef {
  hash: string;
  name: string;
  relation: DataVersionRelation;
  size?: number;
  nfiles?: number;
}

const URI_PREFIX = dataVersionUri("");

/** The hash a cairn-data source names, or undefined. */
export const hashOfSource = (source: string): string | undefined => {
  if (source.length > 1000) return undefined;
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

const count = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;

/** {size, nfiles} from a dataset profile when the tracker put them there (JSON object); else nothing. */
export const sizesOfProfile = (profile: string | undefined): { size?: number; nfiles?: number } => {
  if (profile === undefined || profile.length > 100_000) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(profile);
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null) return {};
  const { size, nfiles } = parsed as { size?: unknown; nfiles?: unknown };
  const sized = count(size);
  const counted = count(nfiles);
  return { ...(sized === undefined ? {} : { size: sized }), ...(counted === undefined ? {} : { nfiles: counted }) };
};

export const dataVersionOfInput = (input: DatasetInput): DataVersionRef | undefined => {
  const { dataset } = input;
  if (dataset.source_type !== DATA_VERSION_SOURCE_TYPE) return undefined;
  const hash = hashOfSource(dataset.source);
  if (hash === undefined || dataset.digest !== hash.slice(0, 32)) return undefined;
  const context = input.tags.find((tag) => tag.key === SystemTag.DATASET_CONTEXT)?.value;
  return { hash, name: dataset.name, relation: context === DATA_CONTEXT_OUTPUT ? "produced" : "used", ...sizesOfProfile(dataset.profile) };
};
