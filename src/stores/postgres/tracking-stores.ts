import { CairnError, ErrorCode } from "../../core/errors.js";
import type { MetadataStores } from "../metadata-stores.js";
import type { PgDatabase } from "./pg-database.js";
import type { PostgresStoresOptions } from "./open-stores.js";

/** Tracking, logged models and data versions on PostgreSQL (schema/001-tracking.ts). */
export const openPgTrackingStores = async (
  _db: PgDatabase,
  _options: PostgresStoresOptions,
): Promise<Pick<MetadataStores, "tracking" | "loggedModels" | "dataVersions">> => {
  throw new CairnError(ErrorCode.NOT_IMPLEMENTED, "TODO(issue 14): the PostgreSQL tracking stores");
};
