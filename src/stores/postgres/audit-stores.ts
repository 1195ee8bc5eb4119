import type { MetadataStores } from "../metadata-stores.js";
import type { PgConnectionConfig } from "./connection-uri.js";
import { PgAuditStore } from "./pg-audit-store.js";
import { PgAuthStore } from "./pg-auth-store.js";
import type { PgDatabase } from "./pg-database.js";
import { PgPermissionStore } from "./pg-permission-store.js";
import type { PostgresStoresOptions } from "./open-stores.js";

/** The connection parameters of the pool, for the audit verify worker's own connection. */
const connectionOf = (db: PgDatabase): PgConnectionConfig => {
  const o = db.pool.options;
  return {
    host: o.host ?? "localhost",
    port: o.port ?? 5432,
    database: o.database ?? "",
    ...(o.user === undefined ? {} : { user: o.user }),
    ...(typeof o.password === "string" ? { password: o.password } : {}),
    ...(o.ssl === true ? { ssl: true } : {}),
  };
};

/** The audit log, users and permissions on PostgreSQL (schema/003-audit.ts). */
export const openPgAuditStores = async (
  db: PgDatabase,
  _options: PostgresStoresOptions,
): Promise<Pick<MetadataStores, "audit" | "auth" | "permissions">> => ({
  audit: new PgAuditStore(db, connectionOf(db)),
  auth: new PgAuthStore(db),
  permissions: new PgPermissionStore(db),
});
