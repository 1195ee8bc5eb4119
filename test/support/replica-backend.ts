import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTempPgDatabase } from "../../src/stores/postgres/test-support/temp-database.js";

/**
 * The one database and the one artifact folder every replica of a test or benchmark shares. SQLite (one WAL file,
 * several processes) is what works before the PostgreSQL stores exist; PostgreSQL is what a team runs. Under vitest the
 * PostgreSQL database is a fresh one on the run's throw-away cluster (createTempPgDatabase); a benchmark passes the
 * admin URL of a cluster it started itself.
 */
export type ReplicaBackend = "sqlite" | "postgresql";

export interface SharedStores {
  backend: ReplicaBackend;
  backendStoreUri: string;
  artifactsDestination: string;
  /** A scratch folder for the caller's own files (removed with the stores). */
  dir: string;
  close(): Promise<void>;
}

export const parseReplicaBackend = (text: string | undefined, fallback: ReplicaBackend): ReplicaBackend => {
  if (text === undefined || text === "") return fallback;
  if (text === "sqlite" || text === "postgresql") return text;
  throw new Error(`unknown replica backend '${text}': sqlite or postgresql`);
};

export const openSharedStores = async (backend: ReplicaBackend, prefix = "cairn-replicas-"): Promise<SharedStores> => {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const artifactsDestination = path.join(dir, "artifacts");
  if (backend === "sqlite") {
    return {
      backend,
      // Four slashes: an absolute path, as SQLAlchemy spells it.
      backendStoreUri: `sqlite:///${path.join(dir, "cairn.db")}`,
      artifactsDestination,
      dir,
      close: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const database = await createTempPgDatabase("cairn_replicas");
  return {
    backend,
    backendStoreUri: database.uri,
    artifactsDestination,
    dir,
    close: async () => {
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
