import { describePermissionStoreContract } from "../../auth/permissions/store.contract.js";
import { PgPermissionStore } from "./pg-permission-store.js";
import { openMigratedPgDatabase } from "./test-support/pg-store-fixture.js";

describePermissionStoreContract("postgresql", async () => {
  const { db, cleanup } = await openMigratedPgDatabase();
  return { store: new PgPermissionStore(db), cleanup };
});
