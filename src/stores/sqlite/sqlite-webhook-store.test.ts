import { describeWebhookStoreContract } from "../../webhooks/store.contract.js";
import { tempDbFile } from "../../webhooks/test-support/webhook-kit.js";
import { openDatabase } from "./open-database.js";
import { SqliteWebhookStore } from "./sqlite-webhook-store.js";

describeWebhookStoreContract("sqlite", async () => {
  const temp = tempDbFile();
  const db = openDatabase(temp.file);
  return {
    store: new SqliteWebhookStore(db),
    another: async () => {
      const other = openDatabase(temp.file);
      return { store: new SqliteWebhookStore(other), close: async () => void other.close() };
    },
    cleanup: async () => {
      db.close();
      temp.remove();
    },
  };
});
