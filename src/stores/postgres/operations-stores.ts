import { CairnError, ErrorCode } from "../../core/errors.js";
import type { MetadataStores } from "../metadata-stores.js";
import type { PgDatabase } from "./pg-database.js";
import type { PostgresStoresOptions } from "./open-stores.js";

/** Webhooks, deployments, the prediction log, monitors and shadow reports on PostgreSQL (schema/004-operations.ts). */
export const openPgOperationsStores = async (
  _db: PgDatabase,
  _options: PostgresStoresOptions,
): Promise<Pick<MetadataStores, "webhooks" | "deployments" | "predictions" | "monitors">> => {
  throw new CairnError(ErrorCode.NOT_IMPLEMENTED, "TODO(issue 14): the PostgreSQL operations stores");
};
