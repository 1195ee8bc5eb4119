import { CairnError, ErrorCode } from "../../core/errors.js";
import type { MetadataStores } from "../metadata-stores.js";
import type { PgDatabase } from "./pg-database.js";
import type { PostgresStoresOptions } from "./open-stores.js";

/** The audit log, users and permissions on PostgreSQL (schema/003-audit.ts). */
export const openPgAuditStores = async (
  _db: PgDatabase,
  _options: PostgresStoresOptions,
): Promise<Pick<MetadataStores, "audit" | "auth" | "permissions">> => {
  throw new CairnError(ErrorCode.NOT_IMPLEMENTED, "TODO(issue 14): the PostgreSQL audit store");
};
