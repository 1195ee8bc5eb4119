import { describeWebhookStoreContract } from "../../webhooks/store.contract.js";
import { PgWebhookStore } from "./pg-webhook-store.js";
import { openOperationsTestDatabase } from "./test-support/operations-database.js";

describeWebhookStoreContract("postgresql", async () => {
  const database = await openOperationsTestDatabase();
  return {
    store: new PgWebhookStore(database.db),
    another: async () => {
      const other = database.connect();
      return { store: new PgWebhookStore(other), close: () => other.close() };
    },
    cleanup: () => database.cleanup(),
  };
});
