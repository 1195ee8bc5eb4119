import { describeTraceStoreContract } from "../../tracing/store.contract.js";
import { PgTraceStore } from "./pg-trace-store.js";
import { openRegistryTestDatabase } from "./test-support/registry-database.js";

describeTraceStoreContract("postgresql", async () => {
  const opened = await openRegistryTestDatabase();
  return { store: new PgTraceStore(opened.db), experiment: opened.experiment, cleanup: opened.cleanup };
});
