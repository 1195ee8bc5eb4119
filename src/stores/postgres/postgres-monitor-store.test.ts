import { describeMonitorStoreContract } from "../../monitoring/monitors/store.contract.js";
import { PgMonitorStore } from "./pg-monitor-store.js";
import { openOperationsTestDatabase } from "./test-support/operations-database.js";

describeMonitorStoreContract("postgresql", async () => {
  const database = await openOperationsTestDatabase();
  return {
    store: new PgMonitorStore(database.db),
    another: async () => {
      const other = database.connect();
      return { store: new PgMonitorStore(other), close: () => other.close() };
    },
    cleanup: () => database.cleanup(),
  };
});
