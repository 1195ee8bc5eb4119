import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeGcContract, type GcBackend } from "../../tracking/gc/gc.contract.js";
import { openLocalArtifactStore } from "../artifact-stores/local/index.js";
import { openPostgresMetadataStores } from "./open-stores.js";
import { createTempPgDatabase } from "./test-support/temp-database.js";

describeGcContract("PostgreSQL", async (now): Promise<GcBackend> => {
  const dir = mkdtempSync(path.join(tmpdir(), "cairn-pg-gc-"));
  const database = await createTempPgDatabase();
  const stores = await openPostgresMetadataStores(database.uri, { now });
  const artifactsDir = path.join(dir, "artifacts");
  const artifacts = await openLocalArtifactStore(artifactsDir);
  return {
    stores,
    artifacts,
    artifactsDir,
    close: async () => {
      await stores.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
