import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeDataVersionStoreContract } from "../../pipelines/server/data-versions-store.contract.js";
import { openDatabase } from "./open-database.js";
import { SqliteDataVersionStore } from "./sqlite-data-version-store.js";
import { SqliteTrackingStore } from "./sqlite-tracking-store.js";

describeDataVersionStoreContract("sqlite", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-data-versions-"));
  const db = openDatabase(path.join(dir, "cairn.db"));
  const tracking = new SqliteTrackingStore(db);
  tracking.ensureDefaultExperiment("mlflow-artifacts:/0", 1);
  return {
    store: new SqliteDataVersionStore(db),
    tracking,
    cleanup: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
