import type { DatasetProfile } from "../validation/profile/profile-schema.js";
import type { HttpTransport } from "./transport.js";

/**
 * Data profiles attached to runs and model versions (Cairn's data/profiles/* API): a run keeps its profiles as the
 * artifacts profiles/<name>.json; a model version names its training profile (the reference of monitors and skew).
 */
export class ProfilesApi {
  constructor(private readonly http: HttpTransport) {}

  /** Stores a profile (the JSON of `cairn data profile --json`) as the run's profiles/<name>.json and tags the run. */
  async attach(runId: string, name: string, profile: DatasetProfile): Promise<{ artifact_path: string; uri: string }> {
    return this.http.callCairn("POST", "data/profiles/attach", { run_id: runId, name, profile });
  }

  /** A profile attached to a run. */
  async get(runId: string, name: string): Promise<DatasetProfile> {
    return (await this.http.callCairn<{ profile: DatasetProfile }>("GET", "data/profiles/get", { run_id: runId, name })).profile;
  }

  /** Makes a run's profile a model version's training profile; the run defaults to the version's own. */
  async setTraining(name: string, version: string, profileName: string, runId?: string): Promise<{ uri: string }> {
    return this.http.callCairn("POST", "data/profiles/set-training", { name, version, profile_name: profileName, run_id: runId });
  }

  /** A model version's training profile. */
  async training(name: string, version: string): Promise<DatasetProfile> {
    return (await this.http.callCairn<{ profile: DatasetProfile }>("GET", "data/profiles/training", { name, version })).profile;
  }
}
