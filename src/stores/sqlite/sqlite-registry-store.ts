import type { Database } from "better-sqlite3";
import type {
  ModelStage,
  ModelVersion,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelTag,
} from "../../protocol/mlflow/registry-entities.js";
import type {
  ModelVersionSearch,
  NewModelVersion,
  NewRegisteredModel,
  RegisteredModelSearch,
  RegistryStore,
} from "../../registry/store.js";
import type { Page } from "../../tracking/store.js";
import * as models from "./registry-models.js";
import * as search from "./registry-search.js";
import * as versions from "./registry-versions.js";
import { SqliteConnection } from "./statement-cache.js";

/**
 * The RegistryStore over a better-sqlite3 connection shared with the other stores (the process's wiring opens it
 * with openDatabase, which applies the registry migration, and closes it). Semantics follow MLflow's sqlalchemy
 * registry store; where the interface passes `now` to a call that MLflow does not stamp (tags, aliases), the
 * timestamps are left alone, as in MLflow.
 */
export class SqliteRegistryStore implements RegistryStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
  }

  /** The raw connection, for SQLite-only tests and tools. */
  get database(): Database {
    return this.conn.db;
  }

  /** The connection belongs to whoever opened it. */
  async close(): Promise<void> {}

  async createRegisteredModel(input: NewRegisteredModel): Promise<RegisteredModel> {
    return models.createRegisteredModel(this.conn, input);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    return models.getRegisteredModel(this.conn, name);
  }

  async renameRegisteredModel(name: string, newName: string, now: number): Promise<RegisteredModel> {
    return models.renameRegisteredModel(this.conn, name, newName, now);
  }

  async updateRegisteredModel(name: string, update: { description?: string }, now: number): Promise<RegisteredModel> {
    return models.updateRegisteredModel(this.conn, name, update, now);
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    models.deleteRegisteredModel(this.conn, name);
  }

  async searchRegisteredModels(query: RegisteredModelSearch): Promise<Page<RegisteredModel>> {
    return search.searchRegisteredModels(this.conn, query);
  }

  async setRegisteredModelTag(name: string, tag: RegisteredModelTag, _now: number): Promise<void> {
    models.setRegisteredModelTag(this.conn, name, tag);
  }

  async deleteRegisteredModelTag(name: string, key: string, _now: number): Promise<void> {
    models.deleteRegisteredModelTag(this.conn, name, key);
  }

  async setAlias(name: string, alias: string, version: string, _now: number): Promise<{ previousVersion?: string }> {
    return versions.setAlias(this.conn, name, alias, version);
  }

  async deleteAlias(name: string, alias: string, _now: number): Promise<{ previousVersion?: string }> {
    return versions.deleteAlias(this.conn, name, alias);
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    return versions.getVersionByAlias(this.conn, name, alias);
  }

  async createModelVersion(input: NewModelVersion): Promise<ModelVersion> {
    return versions.createModelVersion(this.conn, input);
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion | undefined> {
    return versions.getModelVersion(this.conn, name, version);
  }

  async updateModelVersion(
    name: string,
    version: string,
    update: { description?: string },
    now: number,
  ): Promise<ModelVersion> {
    return versions.updateModelVersion(this.conn, name, version, update, now);
  }

  async deleteModelVersion(name: string, version: string, now?: number): Promise<void> {
    versions.deleteModelVersion(this.conn, name, version, now);
  }

  async transitionStage(
    name: string,
    version: string,
    stage: ModelStage,
    archiveExisting: boolean,
    now: number,
  ): Promise<ModelVersion> {
    return versions.transitionStage(this.conn, name, version, stage, archiveExisting, now);
  }

  async getLatestVersions(name: string, stages: readonly ModelStage[]): Promise<ModelVersion[]> {
    return versions.getLatestVersions(this.conn, name, stages);
  }

  async searchModelVersions(query: ModelVersionSearch): Promise<Page<ModelVersion>> {
    return search.searchModelVersions(this.conn, query);
  }

  async setModelVersionTag(name: string, version: string, tag: ModelVersionTag, _now: number): Promise<void> {
    versions.setModelVersionTag(this.conn, name, version, tag);
  }

  async deleteModelVersionTag(name: string, version: string, key: string, _now: number): Promise<void> {
    versions.deleteModelVersionTag(this.conn, name, version, key);
  }

  async findModelVersionsByRunIds(runIds: readonly string[]): Promise<ModelVersion[]> {
    return versions.findModelVersionsByRunIds(this.conn, runIds);
  }
}
