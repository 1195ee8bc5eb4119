import type { ModelVersion, RegisteredModel } from "../../protocol/mlflow/registry-entities.js";
import type { ModelVersionSearch, RegisteredModelSearch } from "../../registry/store.js";
import type { Page } from "../../tracking/store.js";
import { compileModelVersionSearch, compileRegisteredModelSearch } from "../sql/registry-search-compiler.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import { loadModelVersions, loadRegisteredModels } from "./registry-loader.js";
import { sqliteDialect } from "./sqlite-dialect.js";
import type { SqliteConnection } from "./statement-cache.js";

/** Registry searches: one compiled query for the page's keys (plus one row to detect a next page), then a batch load. */

export const searchRegisteredModels = (conn: SqliteConnection, query: RegisteredModelSearch): Page<RegisteredModel> => {
  const offset = decodeOffsetToken(query.pageToken);
  const compiled = compileRegisteredModelSearch(sqliteDialect, {
    filter: query.filter,
    orderBy: query.orderBy,
    limit: query.maxResults + 1,
    offset,
  });
  return conn.read(() => {
    const keys = (conn.stmt(compiled.sql).all(...compiled.params) as { model_key: number }[]).map((row) => row.model_key);
    const page = pageOf(keys, offset, query.maxResults);
    return { ...page, items: loadRegisteredModels(conn, page.items) };
  });
};

export const searchModelVersions = (conn: SqliteConnection, query: ModelVersionSearch): Page<ModelVersion> => {
  const offset = decodeOffsetToken(query.pageToken);
  const compiled = compileModelVersionSearch(sqliteDialect, {
    filter: query.filter,
    orderBy: query.orderBy,
    limit: query.maxResults + 1,
    offset,
  });
  return conn.read(() => {
    const keys = (conn.stmt(compiled.sql).all(...compiled.params) as { version_key: number }[]).map(
      (row) => row.version_key,
    );
    const page = pageOf(keys, offset, query.maxResults);
    return { ...page, items: loadModelVersions(conn, page.items) };
  });
};
