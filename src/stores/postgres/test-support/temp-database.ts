import { randomBytes } from "node:crypto";
import pg from "pg";

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
