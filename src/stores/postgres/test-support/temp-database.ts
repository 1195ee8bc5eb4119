import { randomBytes } from "node:crypto";
import pg from "pg";
import type { PgDatabase } from "../pg-database.js";

/**
 * A fresh, empty database per test (or per suite) on the test cluster, so that test files run in parallel without
 * sharing state. The cluster is the one test/support/postgres-global-setup.ts started (or CAIRN_TEST_POSTGRES_URL).
 */
export interface TempPgDatabase {
  /** postgresql://... of the new database. */
  uri: string;
  name: string;
  drop(): Promise<void>;
}

export const testPostgresAdminUrl = (): string => {
  const url = process.env.CAIRN_TEST_POSTGRES_URL;
  if (url === undefined || url === "") {
    throw new Error("CAIRN_TEST_POSTGRES_URL is not set: run the tests through vitest (its global setup starts PostgreSQL)");
  }
  return url;
};

const withAdmin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: testPostgresAdminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

export const createTempPgDatabase = async (prefix = "cairn_test"): Promise<TempPgDatabase> => {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  // template0: nothing a previous test left in template1 can leak in.
  await withAdmin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
  const admin = new URL(testPostgresAdminUrl());
  admin.pathname = `/${name}`;
  return {
    uri: admin.toString(),
    name,
    drop: async () => {
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
};

/**
 * A database for one test, reused from an earlier test of the same worker process when one is free, created
 * otherwise: the caller migrates it and, when `reused`, empties it (emptyPgDatabase). Emptying takes tens of
 * milliseconds; CREATE DATABASE and the schema about 0.4 s a test on CI's two cores. A test that holds two at once
 * gets two databases. Never dropped: the cluster is thrown away at the end of the run.
 */
export interface CheckedOutPgDatabase {
  uri: string;
  name: string;
  reused: boolean;
  /** Gives the database back for the next test (after the caller closed its pools). */
  release(): void;
}

const idle = new Map<string, TempPgDatabase[]>();

export const checkoutPgDatabase = async (prefix: string): Promise<CheckedOutPgDatabase> => {
  const free = idle.get(prefix) ?? [];
  idle.set(prefix, free);
  const kept = free.pop();
  const temp = kept ?? (await createTempPgDatabase(prefix));
  return { uri: temp.uri, name: temp.name, reused: kept !== undefined, release: () => void free.push(temp) };
};

/**
 * Every table but schema_version emptied and its identities restarted: a migrated database as a fresh one (the
 * schema inserts no rows of its own).
 */
export const emptyPgDatabase = async (db: PgDatabase): Promise<void> => {
  const tables = await db.query<{ tablename: string }>(
    "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_version'",
  );
  if (tables.length > 0) await db.query(`TRUNCATE ${tables.map((table) => `"${table.tablename}"`).join(", ")} RESTART IDENTITY CASCADE`);
  // The one row a migration seeds (schema/009), as a fresh database has it.
  if (tables.some((table) => table.tablename === "audit_digest_collection")) await db.query("INSERT INTO audit_digest_collection (id, collected_xid) VALUES (1, 0)");
};
