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
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import { compileModelVersionSearch, compileRegisteredModelSearch } from "../sql/registry-search-compiler.js";
import type { PgDatabase } from "./pg-database.js";
import * as models from "./pg-registry-models.js";
import { fromModelJson, fromVersionJson, MODEL_JSON, type ModelJson, VERSION_JSON, type VersionJson } from "./pg-registry-rows.js";
import * as versions from "./pg-registry-versions.js";
import { postgresDialect } from "./postgres-dialect.js";

/**
 * The RegistryStore on PostgreSQL (schema/002-registry.ts), with the SQLite store's semantics (MLflow's sqlalchemy
 * registry store), passing the same contract suite. Several server processes share the database: the writes that
 * read before they write lock the model's row (pg-registry-rows.ts, lockModelKey), and every multi-statement write
 * is one db.transaction (joining an audit unit's transaction when there is one). The database belongs to whoever
 * opened it (close() is a no-op).
 */
export class PgRegistryStore implements RegistryStore {
  constructor(private readonly db: PgDatabase) {}

  async close(): Promise<void> {}

  async createRegisteredModel(input: NewRegisteredModel): Promise<RegisteredModel> {
    return models.createRegisteredModel(this.db, input);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    const row = await this.db.one<{ j: ModelJson }>(`SELECT ${MODEL_JSON} AS j FROM registered_models m WHERE m.name = $1`, [name]);
    return row === undefined ? undefined : fromModelJson(row.j);
  }

  async renameRegisteredModel(name: string, newName: string, now: number): Promise<RegisteredModel> {
    return models.renameRegisteredModel(this.db, name, newName, now);
  }

  async updateRegisteredModel(name: string, update: { description?: string }, now: number): Promise<RegisteredModel> {
    return models.updateRegisteredModel(this.db, name, update, now);
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await models.deleteRegisteredModel(this.db, name);
  }

  /** The page and the entities on it in one statement (the compiler selects MODEL_JSON instead of the key). */
  async searchRegisteredModels(query: RegisteredModelSearch): Promise<Page<RegisteredModel>> {
    const offset = decodeOffsetToken(query.pageToken);
    const compiled = compileRegisteredModelSearch(postgresDialect, {
      filter: query.filter,
      orderBy: query.orderBy,
      limit: query.maxResults + 1,
      offset,
      columns: `${MODEL_JSON} AS j`,
    });
    const rows = await this.db.query<{ j: ModelJson }>(compiled.sql, compiled.params);
    const page = pageOf(rows, offset, query.maxResults);
    return { ...page, items: page.items.map((row) => fromModelJson(row.j)) };
  }

  async setRegisteredModelTag(name: string, tag: RegisteredModelTag, _now: number): Promise<void> {
    await models.setRegisteredModelTag(this.db, name, tag);
  }

  async deleteRegisteredModelTag(name: string, key: string, _now: number): Promise<void> {
    await models.deleteRegisteredModelTag(this.db, name, key);
  }

  async setAlias(name: string, alias: string, version: string, _now: number): Promise<{ previousVersion?: string }> {
    return versions.setAlias(this.db, name, alias, version);
  }

  async deleteAlias(name: string, alias: string, _now: number): Promise<{ previousVersion?: string }> {
    return versions.deleteAlias(this.db, name, alias);
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    return versions.getVersionByAlias(this.db, name, alias);
  }

  async createModelVersion(input: NewModelVersion): Promise<ModelVersion> {
    return versions.createModelVersion(this.db, input);
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion | undefined> {
    return versions.getModelVersion(this.db, name, version);
  }

  async updateModelVersion(name: string, version: string, update: { description?: string }, now: number): Promise<ModelVersion> {
    return versions.updateModelVersion(this.db, name, version, update, now);
  }

  async deleteModelVersion(name: string, version: string, now?: number): Promise<void> {
    await versions.deleteModelVersion(this.db, name, version, now);
  }

  async transitionStage(name: string, version: string, stage: ModelStage, archiveExisting: boolean, now: number): Promise<ModelVersion> {
    return versions.transitionStage(this.db, name, version, stage, archiveExisting, now);
  }

  async getLatestVersions(name: string, stages: readonly ModelStage[]): Promise<ModelVersion[]> {
    return versions.getLatestVersions(this.db, name, stages);
  }

  async searchModelVersions(query: ModelVersionSearch): Promise<Page<ModelVersion>> {
    const offset = decodeOffsetToken(query.pageToken);
    const compiled = compileModelVersionSearch(postgresDialect, {
      filter: query.filter,
      orderBy: query.orderBy,
      limit: query.maxResults + 1,
      offset,
      columns: `${VERSION_JSON} AS j`,
    });
    const rows = await this.db.query<{ j: VersionJson }>(compiled.sql, compiled.params);
    const page = pageOf(rows, offset, query.maxResults);
    return { ...page, items: page.items.map((row) => fromVersionJson(row.j)) };
  }

  async setModelVersionTag(name: string, version: string, tag: ModelVersionTag, _now: number): Promise<void> {
    await versions.setModelVersionTag(this.db, name, version, tag);
  }

  async deleteModelVersionTag(name: string, version: string, key: string, _now: number): Promise<void> {
    await versions.deleteModelVersionTag(this.db, name, version, key);
  }

  async findModelVersionsByRunIds(runIds: readonly string[]): Promise<ModelVersion[]> {
    return versions.findModelVersionsByRunIds(this.db, runIds);
  }
}

