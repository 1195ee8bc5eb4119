import type {
  ModelStage,
  ModelVersion,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelTag,
} from "../protocol/mlflow/registry-entities.js";
import type { Page, PageRequest } from "../tracking/store.js";

/**
 * The metadata store of the model registry. Backends (SQLite now, PostgreSQL later) implement it and pass the
 * contract suite in store.contract.ts. The service has validated inputs (names, lengths, alias rules, sources);
 * the store enforces what needs atomicity: unique names, version numbering, alias uniqueness, cascades.
 *
 * Errors are CairnErrors with MLflow's codes and messages: RESOURCE_DOES_NOT_EXIST ("Registered Model with
 * name=x not found", "Model Version (name=x, version=3) not found"), RESOURCE_ALREADY_EXISTS ("Registered Model
 * (name=x) already exists.").
 */
export interface RegistryStore {
  createRegisteredModel(input: NewRegisteredModel): Promise<RegisteredModel>;
  /** With latest_versions (the newest version of each stage, as MLflow), tags and aliases. */
  getRegisteredModel(name: string): Promise<RegisteredModel | undefined>;
  /** Renames the model; its versions, tags and aliases follow. */
  renameRegisteredModel(name: string, newName: string, now: number): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, update: { description?: string }, now: number): Promise<RegisteredModel>;
  /** Deletes the model with all its versions, tags and aliases. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(query: RegisteredModelSearch): Promise<Page<RegisteredModel>>;
  setRegisteredModelTag(name: string, tag: RegisteredModelTag, now: number): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string, now: number): Promise<void>;

  /** Points `alias` at `version` (moving it if it pointed elsewhere); returns the version it pointed to before. */
  setAlias(name: string, alias: string, version: string, now: number): Promise<{ previousVersion?: string }>;
  /** Removes the alias; returns the version it pointed to (undefined: there was no such alias). */
  deleteAlias(name: string, alias: string, now: number): Promise<{ previousVersion?: string }>;
  getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined>;

  /** Creates the next version (1, 2, 3... per model, never reused after a delete), status READY. */
  createModelVersion(input: NewModelVersion): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion | undefined>;
  updateModelVersion(name: string, version: string, update: { description?: string }, now: number): Promise<ModelVersion>;
  /**
   * Deletes the version and the aliases that point to it. With `now`, the model's last_updated_timestamp is stamped,
   * as MLflow does on a version delete.
   */
  deleteModelVersion(name: string, version: string, now?: number): Promise<void>;
  /**
   * Sets the version's stage; with archiveExisting, the other versions in the target stage (Staging/Production only)
   * move to Archived. Returns the updated version.
   */
  transitionStage(name: string, version: string, stage: ModelStage, archiveExisting: boolean, now: number): Promise<ModelVersion>;
  /** The newest version in each of `stages` (all stages when empty), ordered as MLflow does. */
  getLatestVersions(name: string, stages: readonly ModelStage[]): Promise<ModelVersion[]>;
  searchModelVersions(query: ModelVersionSearch): Promise<Page<ModelVersion>>;
  setModelVersionTag(name: string, version: string, tag: ModelVersionTag, now: number): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string, now: number): Promise<void>;
  /** Versions created from any of these runs (for lineage from a run or a dataset to models). */
  findModelVersionsByRunIds(runIds: readonly string[]): Promise<ModelVersion[]>;
}

export interface NewRegisteredModel {
  name: string;
  description?: string;
  tags: RegisteredModelTag[];
  userId?: string;
  now: number;
}

export interface NewModelVersion {
  name: string;
  source: string;
  runId?: string;
  runLink?: string;
  /** The logged model the version registers (MLflow 3). */
  modelId?: string;
  description?: string;
  tags: ModelVersionTag[];
  userId?: string;
  now: number;
}

/** A parsed registry filter: comparisons ANDed together, as MLflow's registry search grammar allows. */
export interface RegistryComparison {
  /** "attribute" keys: name (models and versions), run_id, source_path, version_number (versions). */
  entity: "attribute" | "tag";
  key: string;
  comparator: "=" | "!=" | "LIKE" | "ILIKE" | "IN" | "NOT IN" | ">" | ">=" | "<" | "<=";
  value: string | number | string[];
}

export interface RegistryOrderBy {
  /** name, creation_timestamp, last_updated_timestamp (models); also version_number (versions). */
  key: string;
  ascending: boolean;
}

export interface RegisteredModelSearch extends PageRequest {
  filter: RegistryComparison[];
  orderBy: RegistryOrderBy[];
}

export interface ModelVersionSearch extends PageRequest {
  filter: RegistryComparison[];
  orderBy: RegistryOrderBy[];
}
