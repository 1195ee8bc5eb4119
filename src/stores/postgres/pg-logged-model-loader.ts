import type { LoggedModel } from "../../protocol/mlflow/logged-model-entities.js";
import { assembleLoggedModels, loggedModelStatements, type KeyedValueRow, type LoggedModelMetricRow, type LoggedModelRow } from "../sql/logged-model-rows.js";
import type { PgDatabase } from "./pg-database.js";

const STATEMENTS = loggedModelStatements("= ANY($1::bigint[])");

/** Loads whole logged models for a list of keys with four statements, in the keys' order. */
export const loadPgLoggedModels = async (db: PgDatabase, modelKeys: readonly number[]): Promise<LoggedModel[]> => {
  if (modelKeys.length === 0) return [];
  const keys = [modelKeys];
  return assembleLoggedModels(modelKeys, {
    models: await db.query<LoggedModelRow>(STATEMENTS.models, keys),
    tags: await db.query<KeyedValueRow>(STATEMENTS.tags, keys),
    params: await db.query<KeyedValueRow>(STATEMENTS.params, keys),
    metrics: await db.query<LoggedModelMetricRow>(STATEMENTS.metrics, keys),
  });
};
