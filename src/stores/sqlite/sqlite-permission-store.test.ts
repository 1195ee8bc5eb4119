import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describePermissionStoreContract } from "../../auth/permissions/store.contract.js";
import { openDatabase } from "./open-database.js";
import { SqlitePermissionStore } from "./sqlite-permission-store.js";

describePermissionStoreContract("sqlite", async () => {
  const folder = mkdtempSync(path.join(tmpdir(), "cairn-permission-store-"));
  const db = openDatabase(path.join(folder, "cairn.db"));
  return {
    store: new SqlitePermissionStore(db),
    cleanup: async () => {
      db.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
});
