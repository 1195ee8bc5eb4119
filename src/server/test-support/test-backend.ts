import { createHash } from "node:crypto";
import pg from "pg";

/**
 * The backend store of a test server kept in `dir`: the SQLite file `dir/cairn.db` by default, or, when the test run
 * sets CAIRN_TEST_BACKEND=postgresql (the vitest project that runs the end-to-end suites on PostgreSQL), a database
 * named after `dir` on the test cluster, created on first use. Keyed by the folder, so a test that restarts its
 * server over the same folder finds the same data, as with the SQLite file.
 */
export const testBackendStoreUri = async (dir: string): Promise<string> => {
  if (process.env.CAIRN_TEST_BACKEND !== "postgresql") return `sqlite:///${dir}/cairn.db`;
  const admin = process.env.CAIRN_TEST_POSTGRES_URL;
  if (admin === undefined || admin === "") throw new Error("CAIRN_TEST_BACKEND=postgresql needs CAIRN_TEST_POSTGRES_URL (vitest's global setup sets it)");
  const name = `cairn_srv_${createHash("sha256").update(dir).digest("hex").slice(0, 16)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
};
