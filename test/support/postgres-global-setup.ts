import { startPostgresCluster, type PostgresCluster } from "../../src/stores/postgres/test-support/postgres-cluster.js";

/**
 * Vitest global setup: one throw-away PostgreSQL cluster for the whole run (every test file creates its own
 * databases on it), unless CAIRN_TEST_POSTGRES_URL already names a server. Forked test workers inherit the variable.
 */
let cluster: PostgresCluster | undefined;

export const setup = async (): Promise<void> => {
  if (process.env.CAIRN_TEST_POSTGRES_URL) return;
  cluster = await startPostgresCluster({ fast: true });
  process.env.CAIRN_TEST_POSTGRES_URL = cluster.adminUrl;
};

export const teardown = (): void => {
  cluster?.stop();
};
