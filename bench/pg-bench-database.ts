import pg from "pg";

/** Creates an empty database `name` on the benchmark's throw-away cluster and returns its URI. */
export const createBenchDatabase = async (adminUrl: string, name: string): Promise<string> => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.end();
  }
  const uri = new URL(adminUrl);
  uri.pathname = `/${name}`;
  return uri.toString();
};
