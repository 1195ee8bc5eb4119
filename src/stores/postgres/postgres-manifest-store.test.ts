import { describeManifestStoreContract } from "../../registry/integrity/manifest-store.contract.js";
import { PgManifestStore } from "./pg-manifest-store.js";
import { PgRegistryStore } from "./pg-registry-store.js";
import { openRegistryTestDatabase } from "./test-support/registry-database.js";

describeManifestStoreContract("postgresql", async () => {
  const opened = await openRegistryTestDatabase();
  return { manifests: new PgManifestStore(opened.db), registry: new PgRegistryStore(opened.db), cleanup: opened.cleanup };
});
