import { SystemTag, type DatasetInput } from "../../protocol/mlflow/entities.js";
import { hexOf } from "../data/hash-info.js";
import {
  DATA_CONTEXT_INPUT,
  DATA_CONTEXT_OUTPUT,
  DATA_VERSION_SOURCE_TYPE,
  dataVersionUri,
  type PathVersion,
} from "./repro-tracker.js";

/** MLflow's limits on a dataset's name (500) and on how many inputs one log-inputs call should carry. */
const MAX_NAME_LENGTH = 500;
export const MAX_INPUTS_PER_CALL = 100;

/**
 * A data version as an MLflow dataset input (the design's shape): source_type `cairn-data`, source
 * `{"uri":"cairn-data://sha256/<hash>"}` with the full hash, digest the first 32 hex (MLflow caps digests at 36),
 * name the workspace-relative path, the context tag saying whether the stage read or wrote it. The profile holds
 * the size (and file count of a directory) so that a reader need not fetch the manifest.
 */
export const dataVersionInput = (version: PathVersion, context: typeof DATA_CONTEXT_INPUT | typeof DATA_CONTEXT_OUTPUT): DatasetInput | undefined => {
  if (version.path.length > MAX_NAME_LENGTH) return undefined;
  return {
    tags: [{ key: SystemTag.DATASET_CONTEXT, value: context }],
    dataset: {
      name: version.path,
      digest: hexOf(version.hash).slice(0, 32),
      source_type: DATA_VERSION_SOURCE_TYPE,
      source: JSON.stringify({ uri: dataVersionUri(version.hash) }),
      profile: JSON.stringify(version.nfiles === undefined ? { size: version.size } : { size: version.size, nfiles: version.nfiles }),
    },
  };
};

/** A stage's dependencies (cairn.input) then its outputs (cairn.output). */
export const stageDataInputs = (deps: readonly PathVersion[], outs: readonly PathVersion[]): { inputs: DatasetInput[]; notes: string[] } => {
  const inputs: DatasetInput[] = [];
  const notes: string[] = [];
  const add = (version: PathVersion, context: typeof DATA_CONTEXT_INPUT | typeof DATA_CONTEXT_OUTPUT): void => {
    const input = dataVersionInput(version, context);
    if (input === undefined) notes.push(`data '${version.path.slice(0, 100)}...': path longer than ${MAX_NAME_LENGTH} characters, not logged as a dataset`);
    else inputs.push(input);
  };
  for (const dep of deps) add(dep, DATA_CONTEXT_INPUT);
  for (const out of outs) add(out, DATA_CONTEXT_OUTPUT);
  return { inputs, notes };
};
