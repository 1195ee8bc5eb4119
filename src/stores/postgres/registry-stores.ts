import { CairnError, ErrorCode } from "../../core/errors.js";
import type { MetadataStores } from "../metadata-stores.js";
import type { PgDatabase } from "./pg-database.js";
import type { PostgresStoresOptions } from "./open-stores.js";

/** Registry, governance, manifests and traces on PostgreSQL (schema/002-registry.ts). */
export const openPgRegistryStores = async (
  _db: PgDatabase,
  _options: PostgresStoresOptions,
): Promise<Pick<MetadataStores, "registry" | "governance" | "manifests" | "traces">> => {
  throw new CairnError(ErrorCode.NOT_IMPLEMENTED, "TODO(issue 14): the PostgreSQL registry stores");
};
