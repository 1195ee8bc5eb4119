import type { LoggedModel } from "../../protocol/mlflow/logged-model-entities.js";
import { assembleLoggedModels, loggedModelStatements, type KeyedValueRow, type LoggedModelMetricRow, type LoggedModelRow } from "../sql/logged-model-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

/** The keys are bound once as a JSON array, as run-loader does: four statements whatever the count. */
const STATEMENTS = loggedModelStatements("IN (SELECT value FROM json_each(?))");

/** Loads whole logged models (info, tags, params, metrics) for a list of model keys, in the keys' order. */
export const loadLoggedModels = (conn: SqliteConnection, modelKeys: readonly number[]): LoggedModel[] => {
  if (modelKeys.length === 0) return [];
  const keys = JSON.stringify(modelKeys);
  return assembleLoggedModels(modelKeys, {
    models: conn.stmt(STATEMENTS.models).all(keys) as LoggedModelRow[],
    tags: conn.stmt(STATEMENTS.tags).all(keys) as KeyedValueRow[],
    params: conn.stmt(STATEMENTS.params).all(keys) as KeyedValueRow[],
    metrics: conn.stmt(STATEMENTS.metrics).all(keys) as LoggedModelMetricRow[],
  });
};
