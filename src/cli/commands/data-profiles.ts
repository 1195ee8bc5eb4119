/**
 * `cairn data profiles ...`: data profiles kept on the server. A run keeps its profiles as artifacts
 * (profiles/<name>.json); a model version names its training profile, the reference of its monitors' drift and skew
 * checks. Thin over the data/profiles/* API (docs/data.md#attaching-profiles-to-runs-and-model-versions).
 */
import { readFile } from "node:fs/promises";
import type { CairnClient } from "../../sdk/client.js";
import type { DatasetProfile } from "../../validation/profile/profile-schema.js";
import { UsageError } from "../errors.js";
import type { CommandResult, HumanOutput } from "../output.js";
import { dataProfile, profileTable, type DataProfileOptions } from "./data-profile.js";
import { parseVersion } from "./model-args.js";

export interface AttachOptions extends DataProfileOptions {
  /** A profile JSON file, as `cairn data profile --json` prints it. */
  profile?: string;
  /** A data file profiled now (CSV, Parquet, JSON lines). */
  data?: string;
}

/** Profiles are aggregates; the server refuses more than 16 MiB, so a bigger file is not read whole to be refused. */
const MAX_PROFILE_FILE_BYTES = 16 * 1024 * 1024;

const readProfileFile = async (file: string): Promise<DatasetProfile> => {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`--profile: cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (Buffer.byteLength(text) > MAX_PROFILE_FILE_BYTES) throw new UsageError(`--profile: '${file}' is larger than 16 MiB, which no profile is`);
  try {
    // The server checks the profile's shape (schema_version, row_count, columns) and names what is wrong.
    return JSON.parse(text) as DatasetProfile;
  } catch (error) {
    throw new UsageError(`--profile: '${file}' is not valid JSON: ${(error as Error).message}`);
  }
};

/** `cairn data profiles attach RUN_ID NAME --profile P.json | --data FILE`: stores the profile on the run. */
export const attachProfile = async (
  client: CairnClient,
  runId: string,
  name: string,
  options: AttachOptions,
): Promise<CommandResult<{ run_id: string; name: string; artifact_path: string; uri: string }>> => {
  if ((options.profile === undefined) === (options.data === undefined)) {
    throw new UsageError("give exactly one of --profile FILE.json (a profile JSON) or --data FILE (a data file profiled now)");
  }
  if (options.profile !== undefined && (options.bins !== undefined || options.topK !== undefined || options.format !== undefined)) {
    throw new UsageError("--bins, --top-k and --format apply to --data only");
  }
  const profile = options.profile !== undefined ? await readProfileFile(options.profile) : (await dataProfile(options.data ?? "", options)).data;
  const attached = await client.profiles.attach(runId, name, profile);
  return {
    data: { run_id: runId, name, ...attached },
    human: { kind: "message", text: `Attached profile '${name}' (${profile.row_count} rows, ${profile.columns.length} columns) to run ${runId}: ${attached.uri}` },
  };
};

/** `cairn data profiles show RUN_ID NAME`: a profile attached to a run, one line per column. */
export const showRunProfile = async (client: CairnClient, runId: string, name: string): Promise<CommandResult<DatasetProfile>> => {
  const profile = await client.profiles.get(runId, name);
  return { data: profile, human: withTitle(profileTable(profile, "The profile has no columns."), `Profile '${name}' of run ${runId}: ${profile.row_count} rows`) };
};

/** `cairn data profiles set-training MODEL VERSION PROFILE_NAME [--run-id ID]`: names the version's training profile. */
export const setTrainingProfile = async (
  client: CairnClient,
  model: string,
  versionText: string,
  profileName: string,
  options: { runId?: string },
): Promise<CommandResult<{ name: string; version: string; profile_name: string; uri: string }>> => {
  const version = parseVersion("VERSION", versionText);
  const { uri } = await client.profiles.setTraining(model, version, profileName, options.runId);
  return {
    data: { name: model, version, profile_name: profileName, uri },
    human: { kind: "message", text: `The training profile of ${model} version ${version} is now ${uri}.` },
  };
};

/** `cairn data profiles training MODEL VERSION`: the version's training profile, one line per column. */
export const showTrainingProfile = async (client: CairnClient, model: string, versionText: string): Promise<CommandResult<DatasetProfile>> => {
  const version = parseVersion("VERSION", versionText);
  const profile = await client.profiles.training(model, version);
  return {
    data: profile,
    human: withTitle(profileTable(profile, "The profile has no columns."), `Training profile of ${model} version ${version}: ${profile.row_count} rows`),
  };
};

/** The profile's table under a first line that says whose profile it is. */
const withTitle = (table: HumanOutput, title: string): HumanOutput => (table.kind === "table" ? { ...table, title } : table);
