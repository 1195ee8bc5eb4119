import { invalidParameter } from "../../core/errors.js";
import type { KeyValue } from "../../protocol/mlflow/entities.js";
import type { LoggedModel } from "../../protocol/mlflow/logged-model-entities.js";
import type { LoggedModelFinalize, LoggedModelSearch, LoggedModelStore, NewLoggedModel } from "../../tracking/logged-models/store.js";
import type { Page } from "../../tracking/store.js";
import { parseExperimentId } from "../sql/tracking-rows.js";
import { compileLoggedModelSearch, compileMetricProbe, type LoggedModelSearchScope } from "../sql/logged-model-search-compiler.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import type { PgDatabase } from "./pg-database.js";
import { loadPgLoggedModels } from "./pg-logged-model-loader.js";
import { readSnapshot } from "./pg-snapshot.js";
import { postgresDialect } from "./postgres-dialect.js";

/**
 * The model's row, locked (FOR UPDATE) until the write's transaction ends, if the model is visible: active, in an
 * active experiment. Concurrent writers of one model (tags, params, finalize, delete) run one after the other.
 */
const VISIBLE =
  "SELECT m.model_key FROM logged_models m JOIN experiments e ON e.experiment_id = m.experiment_id " +
  "WHERE m.model_id = $1 AND m.lifecycle_stage = 'active' AND e.lifecycle_stage = 'active'";
const LOCK_VISIBLE = `${VISIBLE} FOR UPDATE OF m`;

const UPSERT_TAGS =
  "INSERT INTO logged_model_tags (model_key, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS u(k, v) " +
  "ON CONFLICT (model_key, key) DO UPDATE SET value = excluded.value";
const TOUCH = "UPDATE logged_models SET last_updated_time = $1 WHERE model_key = $2";

/** See sqlite-logged-model-store.ts: below this many matching metric rows, a metric comparison drives the search. */
const DRIVING_METRIC_MAX_ROWS = 1000;

/** The LoggedModelStore on PostgreSQL (the same plans and answers as SqliteLoggedModelStore). */
export class PgLoggedModelStore implements LoggedModelStore {
  constructor(private readonly db: PgDatabase) {}

  private async lockVisible(modelId: string): Promise<number | undefined> {
    return (await this.db.one<{ model_key: number }>(LOCK_VISIBLE, [modelId]))?.model_key;
  }

  private async upsertTags(modelKey: number, tags: readonly KeyValue[]): Promise<void> {
    if (tags.length === 0) return;
    const lasts = new Map<string, string>();
    for (const tag of tags) lasts.set(tag.key, tag.value);
    await this.db.query(UPSERT_TAGS, [modelKey, [...lasts.keys()], [...lasts.values()]]);
  }

  private async insertParams(modelKey: number, modelId: string, params: readonly KeyValue[]): Promise<void> {
    if (params.length === 0) return;
    const firsts = new Map<string, string>();
    for (const param of params) if (!firsts.has(param.key)) firsts.set(param.key, param.value);
    await this.db.query(
      "INSERT INTO logged_model_params (model_key, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS u(k, v) " +
        "ON CONFLICT (model_key, key) DO NOTHING",
      [modelKey, [...firsts.keys()], [...firsts.values()]],
    );
    const stored = new Map(
      (
        await this.db.query<KeyValue>("SELECT key, value FROM logged_model_params WHERE model_key = $1 AND key = ANY($2::text[])", [
          modelKey,
          [...firsts.keys()],
        ])
      ).map((row) => [row.key, row.value]),
    );
    for (const param of params) {
      const existing = stored.get(param.key);
      if (existing !== undefined && existing !== param.value) {
        throw invalidParameter(
          `Changing param values is not allowed. Param with key='${param.key}' was already logged with ` +
            `value='${existing}' for logged model ID='${modelId}'. Attempted logging new value '${param.value}'.`,
        );
      }
    }
  }

  async create(input: NewLoggedModel): Promise<LoggedModel> {
    return this.db.transaction(async () => {
      const inserted = await this.db.one<{ model_key: number }>(
        "INSERT INTO logged_models (model_id, experiment_id, name, artifact_uri, creation_time, last_updated_time, status, " +
          "status_message, model_type, source_run_id, lifecycle_stage) VALUES ($1, $2, $3, $4, $5, $5, 'LOGGED_MODEL_PENDING', NULL, $6, $7, 'active') " +
          "RETURNING model_key",
        [input.modelId, parseExperimentId(input.experimentId) ?? -1, input.name, input.artifactUri, input.now, input.modelType ?? null, input.sourceRunId ?? null],
      );
      const modelKey = inserted?.model_key as number;
      await this.insertParams(modelKey, input.modelId, input.params);
      await this.upsertTags(modelKey, input.tags);
      const [model] = await loadPgLoggedModels(this.db, [modelKey]);
      if (model === undefined) throw new Error(`logged model ${input.modelId} vanished during its creation`);
      return model;
    });
  }

  async get(modelId: string): Promise<LoggedModel | undefined> {
    return readSnapshot(this.db, async () => {
      const row = await this.db.one<{ model_key: number }>(VISIBLE, [modelId]);
      return row === undefined ? undefined : (await loadPgLoggedModels(this.db, [row.model_key]))[0];
    });
  }

  async finalize(modelId: string, update: LoggedModelFinalize): Promise<LoggedModel | undefined> {
    return this.db.transaction(async () => {
      const modelKey = await this.lockVisible(modelId);
      if (modelKey === undefined) return undefined;
      await this.db.query("UPDATE logged_models SET status = $1, status_message = $2, last_updated_time = $3 WHERE model_key = $4", [
        update.status,
        update.statusMessage ?? null,
        update.now,
        modelKey,
      ]);
      return (await loadPgLoggedModels(this.db, [modelKey]))[0];
    });
  }

  async delete(modelId: string, now: number): Promise<boolean> {
    return this.db.transaction(async () => {
      const modelKey = await this.lockVisible(modelId);
      if (modelKey === undefined) return false;
      await this.db.query("UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_time = $1 WHERE model_key = $2", [now, modelKey]);
      return true;
    });
  }

  async setTags(modelId: string, tags: readonly KeyValue[], now: number): Promise<boolean> {
    return this.db.transaction(async () => {
      const modelKey = await this.lockVisible(modelId);
      if (modelKey === undefined) return false;
      await this.upsertTags(modelKey, tags);
      await this.db.query(TOUCH, [now, modelKey]);
      return true;
    });
  }

  async deleteTag(modelId: string, key: string, now: number): Promise<"deleted" | "missing-model" | "missing-tag"> {
    return this.db.transaction(async () => {
      const modelKey = await this.lockVisible(modelId);
      if (modelKey === undefined) return "missing-model";
      const deleted = await this.db.execute("DELETE FROM logged_model_tags WHERE model_key = $1 AND key = $2", [modelKey, key]);
      if (deleted === 0) return "missing-tag";
      await this.db.query(TOUCH, [now, modelKey]);
      return "deleted";
    });
  }

  async logParams(modelId: string, params: readonly KeyValue[], now: number): Promise<boolean> {
    return this.db.transaction(async () => {
      const modelKey = await this.lockVisible(modelId);
      if (modelKey === undefined) return false;
      await this.insertParams(modelKey, modelId, params);
      await this.db.query(TOUCH, [now, modelKey]);
      return true;
    });
  }

  private async keys(scope: LoggedModelSearchScope): Promise<number[]> {
    const compiled = compileLoggedModelSearch(postgresDialect, scope);
    return (await this.db.query<{ model_key: number }>(compiled.sql, compiled.params)).map((row) => row.model_key);
  }

  /** Ordered by a metric first: the models with a value in value order, then those without (nulls last). */
  private async metricOrderedKeys(scope: LoggedModelSearchScope): Promise<number[]> {
    const withValue = await this.keys({ ...scope, part: "with-value" });
    if (withValue.length >= scope.limit) return withValue;
    let countWithValue = scope.offset + withValue.length;
    if (withValue.length === 0) {
      const count = compileLoggedModelSearch(postgresDialect, { ...scope, part: "count-with-value" });
      countWithValue = (await this.db.one<{ n: number }>(count.sql, count.params))?.n ?? 0;
    }
    const without = await this.keys({
      ...scope,
      part: "without-value",
      offset: Math.max(0, scope.offset - countWithValue),
      limit: scope.limit - withValue.length,
    });
    return [...withValue, ...without];
  }

  private async selectiveMetric(query: LoggedModelSearch): Promise<number | undefined> {
    let best: { index: number; rows: number } | undefined;
    for (const [index, comparison] of query.filter.entries()) {
      if (comparison.entity !== "metric") continue;
      const probe = compileMetricProbe(postgresDialect, comparison, query.datasets, DRIVING_METRIC_MAX_ROWS + 1);
      const n = (await this.db.one<{ n: number }>(probe.sql, probe.params))?.n ?? 0;
      if (n <= DRIVING_METRIC_MAX_ROWS && (best === undefined || n < best.rows)) best = { index, rows: n };
    }
    return best?.index;
  }

  async search(query: LoggedModelSearch): Promise<Page<LoggedModel>> {
    const offset = decodeOffsetToken(query.pageToken);
    const experimentIds = query.experimentIds.map(parseExperimentId).filter((id): id is number => id !== undefined);
    if (experimentIds.length === 0) return { items: [] };
    return readSnapshot(this.db, async () => {
      const drivingMetric = await this.selectiveMetric(query);
      const scope: LoggedModelSearchScope = {
        experimentIds,
        filter: query.filter,
        datasets: query.datasets,
        orderBy: query.orderBy,
        limit: query.maxResults + 1,
        offset,
        ...(drivingMetric !== undefined ? { drivingMetric } : {}),
      };
      const keys = drivingMetric === undefined && query.orderBy[0]?.kind === "metric" ? await this.metricOrderedKeys(scope) : await this.keys(scope);
      const page = pageOf(keys, offset, query.maxResults);
      return { items: await loadPgLoggedModels(this.db, page.items), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
    });
  }
}
