import type { DatasetInput, KeyValue, Metric, Run } from "../../protocol/mlflow/entities.js";
import type { ModelOutput } from "../../protocol/mlflow/logged-model-entities.js";
import { type MetricRow, RUN_COLUMNS, type RunRow, toMetric, toRunInfo } from "../sql/tracking-rows.js";
import type { PgDatabase } from "./pg-database.js";

/**
 * Loads whole runs (info, latest metrics, params, tags, dataset inputs, model links) for a list of run keys with a
 * fixed number of statements whatever the number of runs: the keys are bound once as a bigint[] (`= ANY($1)`). The
 * statements are named (prepared once per connection): every get-run and every page of a search runs all of them,
 * and their planning cost more than their execution.
 * Same shapes and orders as the SQLite loader (src/stores/sqlite/run-loader.ts).
 */
interface KeyedRow extends KeyValue {
  run_key: number;
}

interface InputRow {
  run_key: number;
  input_key: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

const groupBy = <R extends { run_key: number }, T>(rows: readonly R[], map: (row: R) => T): Map<number, T[]> => {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const group = groups.get(row.run_key);
    if (group === undefined) groups.set(row.run_key, [map(row)]);
    else group.push(map(row));
  }
  return groups;
};

const keyValue = (row: KeyValue): KeyValue => ({ key: row.key, value: row.value });

const toDatasetInput =
  (inputTags: Map<number, KeyValue[]>) =>
  (row: InputRow): DatasetInput => {
    const dataset: DatasetInput["dataset"] = { name: row.name, digest: row.digest, source_type: row.source_type, source: row.source };
    if (row.schema !== null) dataset.schema = row.schema;
    if (row.profile !== null) dataset.profile = row.profile;
    return { tags: inputTags.get(row.input_key) ?? [], dataset };
  };

/** The loader's statements by what they read (exported for bench/pg-run-reads.ts, which sends them unnamed). */
export const LOADER_SQL = {
  runs: `SELECT ${RUN_COLUMNS} FROM runs WHERE run_key = ANY($1::bigint[])`,
  latestMetrics: "SELECT run_key, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_key = ANY($1::bigint[]) ORDER BY run_key, key",
  params: "SELECT run_key, key, value FROM params WHERE run_key = ANY($1::bigint[]) ORDER BY run_key, key",
  tags: "SELECT run_key, key, value FROM tags WHERE run_key = ANY($1::bigint[]) ORDER BY run_key, key",
  inputs: "SELECT i.run_key, i.input_key, d.name, d.digest, d.source_type, d.source, d.schema, d.profile " +
    "FROM inputs i JOIN datasets d ON d.dataset_key = i.dataset_key WHERE i.run_key = ANY($1::bigint[]) ORDER BY i.input_key",
  inputTags: "SELECT input_key, key, value FROM input_tags WHERE input_key = ANY($1::bigint[]) ORDER BY input_key, key",
  modelLinks: "SELECT run_key, direction, model_id, step FROM run_model_links WHERE run_key = ANY($1::bigint[]) ORDER BY run_key, link_key",
} as const;

export const loadPgRuns = async (db: PgDatabase, runKeys: readonly number[]): Promise<Run[]> => {
  if (runKeys.length === 0) return [];
  const keys = [runKeys];
  const runRows = await db.queryPrepared<RunRow>("load_runs", LOADER_SQL.runs, keys);
  const metrics = groupBy(
    await db.queryPrepared<MetricRow & { run_key: number }>(
      "load_latest_metrics",
      LOADER_SQL.latestMetrics,
      keys,
    ),
    toMetric,
  );
  const params = groupBy(
    await db.queryPrepared<KeyedRow>("load_params", LOADER_SQL.params, keys),
    keyValue,
  );
  const tags = groupBy(
    await db.queryPrepared<KeyedRow>("load_tags", LOADER_SQL.tags, keys),
    keyValue,
  );
  const inputRows = await db.queryPrepared<InputRow>(
    "load_inputs",
    LOADER_SQL.inputs,
    keys,
  );
  const inputTags = new Map<number, KeyValue[]>();
  if (inputRows.length > 0) {
    const tagRows = await db.queryPrepared<KeyValue & { input_key: number }>(
      "load_input_tags",
      LOADER_SQL.inputTags,
      [inputRows.map((row) => row.input_key)],
    );
    for (const row of tagRows) {
      const list = inputTags.get(row.input_key) ?? [];
      list.push(keyValue(row));
      inputTags.set(row.input_key, list);
    }
  }
  const inputs = groupBy(inputRows, toDatasetInput(inputTags));
  const links = await db.queryPrepared<{ run_key: number; direction: "input" | "output"; model_id: string; step: number }>(
    "load_model_links",
    LOADER_SQL.modelLinks,
    keys,
  );
  const outputs = groupBy(links.filter((link) => link.direction === "output"), (link): ModelOutput => ({ model_id: link.model_id, step: link.step }));
  const modelInputs = groupBy(links.filter((link) => link.direction === "input"), (link) => ({ model_id: link.model_id }));

  const byKey = new Map(runRows.map((row) => [row.run_key, row]));
  const runs: Run[] = [];
  for (const runKey of runKeys) {
    const row = byKey.get(runKey);
    if (row === undefined) continue;
    const runOutputs = outputs.get(runKey);
    const runModelInputs = modelInputs.get(runKey);
    runs.push({
      info: toRunInfo(row),
      data: { metrics: metrics.get(runKey) ?? ([] as Metric[]), params: params.get(runKey) ?? [], tags: tags.get(runKey) ?? [] },
      inputs: { dataset_inputs: inputs.get(runKey) ?? [], ...(runModelInputs ? { model_inputs: runModelInputs } : {}) },
      ...(runOutputs ? { outputs: { model_outputs: runOutputs } } : {}),
    });
  }
  return runs;
};
