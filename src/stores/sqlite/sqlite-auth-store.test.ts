import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeAuthStoreContract } from "../../auth/store.contract.js";
import { openDatabase } from "./open-database.js";
import { SqliteAuthStore } from "./sqlite-auth-store.js";

describeAuthStoreContract("sqlite", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-auth-store-"));
  const db = openDatabase(path.join(dir, "cairn.db"));
  return {
    store: new SqliteAuthStore(db),
    cleanup: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
