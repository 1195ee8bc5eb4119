import { describeRegistryStoreContract } from "../../registry/store.contract.js";
import { PgRegistryStore } from "./pg-registry-store.js";
import { openRegistryTestDatabase } from "./test-support/registry-database.js";

describeRegistryStoreContract("postgresql", async () => {
  const opened = await openRegistryTestDatabase();
  return { store: new PgRegistryStore(opened.db), cleanup: opened.cleanup };
});
