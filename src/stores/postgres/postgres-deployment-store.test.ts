import { describeDeploymentStoreContract } from "../../serving/deployments/store.contract.js";
import { PgDeploymentStore } from "./pg-deployment-store.js";
import { openOperationsTestDatabase } from "./test-support/operations-database.js";

describeDeploymentStoreContract("postgresql", async () => {
  const database = await openOperationsTestDatabase();
  return {
    store: new PgDeploymentStore(database.db),
    another: async () => {
      const other = database.connect();
      return { store: new PgDeploymentStore(other), close: () => other.close() };
    },
    healthRows: () =>
      database.db.query<{ name: string; state: string; reason: string | null; changed_time: number }>(
        "SELECT name, state, reason, changed_time FROM deployment_health ORDER BY name",
      ),
    cleanup: () => database.cleanup(),
  };
});
