import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeManifestStoreContract } from "../../registry/integrity/manifest-store.contract.js";
import { openDatabase } from "./open-database.js";
import { SqliteManifestStore } from "./sqlite-manifest-store.js";
import { SqliteRegistryStore } from "./sqlite-registry-store.js";

describeManifestStoreContract("sqlite", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-manifests-"));
  const db = openDatabase(path.join(dir, "cairn.db"));
  return {
    manifests: new SqliteManifestStore(db),
    registry: new SqliteRegistryStore(db),
    cleanup: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
