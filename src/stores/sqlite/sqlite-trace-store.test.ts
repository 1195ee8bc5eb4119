import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeTraceStoreContract } from "../../tracing/store.contract.js";
import { openDatabase } from "./open-database.js";
import { SqliteTraceStore } from "./sqlite-trace-store.js";
import { SqliteTrackingStore } from "./sqlite-tracking-store.js";

describeTraceStoreContract("sqlite", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-traces-"));
  const db = openDatabase(path.join(dir, "cairn.db"));
  const tracking = new SqliteTrackingStore(db);
  return {
    store: new SqliteTraceStore(db),
    experiment: (name) =>
      tracking.createExperiment({ name, defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: 1 }),
    cleanup: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
