import type { DatasetInput, KeyValue, Metric, Run } from "../../protocol/mlflow/entities.js";
import type { ModelOutput } from "../../protocol/mlflow/logged-model-entities.js";
import { type MetricRow, RUN_COLUMNS, type RunRow, toMetric, toRunInfo } from "../sql/tracking-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

/**
 * Loads whole runs (info, latest metrics, params, tags, dataset inputs) for a list of run keys with a fixed number
 * of queries, whatever the number of runs: the key list is bound once as a JSON array and expanded by json_each,
 * so each statement is prepared once and cached. Results keep the order of `runKeys`; metrics, params and tags
 * are sorted by key.
 */
const IN_KEYS = "IN (SELECT value FROM json_each(?))";

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

const groupBy = <R extends { run_key: number }, T>(rows: R[], map: (row: R) => T): Map<number, T[]> => {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    let group = groups.get(row.run_key);
    if (group === undefined) {
      group = [];
      groups.set(row.run_key, group);
    }
    group.push(map(row));
  }
  return groups;
};

const keyValue = (row: KeyValue): KeyValue => ({ key: row.key, value: row.value });

export const loadRuns = (conn: SqliteConnection, runKeys: readonly number[]): Run[] => {
  if (runKeys.length === 0) return [];
  const keys = JSON.stringify(runKeys);
  const runRows = conn.stmt(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_key ${IN_KEYS}`).all(keys) as RunRow[];
  const metrics = groupBy(
    conn
      .stmt(`SELECT run_key, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_key ${IN_KEYS} ORDER BY run_key, key`)
      .all(keys) as (MetricRow & { run_key: number })[],
    toMetric,
  );
  const params = groupBy(
    conn.stmt(`SELECT run_key, key, value FROM params WHERE run_key ${IN_KEYS} ORDER BY run_key, key`).all(keys) as KeyedRow[],
    keyValue,
  );
  const tags = groupBy(
    conn.stmt(`SELECT run_key, key, value FROM tags WHERE run_key ${IN_KEYS} ORDER BY run_key, key`).all(keys) as KeyedRow[],
    keyValue,
  );
  const inputRows = conn
    .stmt(
      "SELECT i.run_key, i.input_key, d.name, d.digest, d.source_type, d.source, d.schema, d.profile " +
        `FROM inputs i JOIN datasets d ON d.dataset_key = i.dataset_key WHERE i.run_key ${IN_KEYS} ORDER BY i.input_key`,
    )
    .all(keys) as InputRow[];
  const inputTags = new Map<number, KeyValue[]>();
  if (inputRows.length > 0) {
    const tagRows = conn
      .stmt(`SELECT input_key, key, value FROM input_tags WHERE input_key ${IN_KEYS} ORDER BY input_key, key`)
      .all(JSON.stringify(inputRows.map((row) => row.input_key))) as (KeyValue & { input_key: number })[];
    for (const row of tagRows) {
      const list = inputTags.get(row.input_key) ?? [];
      list.push(keyValue(row));
      inputTags.set(row.input_key, list);
    }
  }
  const inputs = groupBy(inputRows, (row): DatasetInput => {
    const dataset: DatasetInput["dataset"] = {
      name: row.name,
      digest: row.digest,
      source_type: row.source_type,
      source: row.source,
    };
    if (row.schema !== null) dataset.schema = row.schema;
    if (row.profile !== null) dataset.profile = row.profile;
    return { tags: inputTags.get(row.input_key) ?? [], dataset };
  });

  // MLflow 3's model outputs and inputs, in the order they were linked.
  const links = conn
    .stmt(`SELECT run_key, direction, model_id, step FROM run_model_links WHERE run_key ${IN_KEYS} ORDER BY run_key, link_key`)
    .all(keys) as { run_key: number; direction: "input" | "output"; model_id: string; step: number }[];
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
      data: {
        metrics: metrics.get(runKey) ?? ([] as Metric[]),
        params: params.get(runKey) ?? [],
        tags: tags.get(runKey) ?? [],
      },
      // Without model inputs or outputs the run reads exactly as it did for 2.x clients.
      inputs: { dataset_inputs: inputs.get(runKey) ?? [], ...(runModelInputs ? { model_inputs: runModelInputs } : {}) },
      ...(runOutputs ? { outputs: { model_outputs: runOutputs } } : {}),
    });
  }
  return runs;
};
