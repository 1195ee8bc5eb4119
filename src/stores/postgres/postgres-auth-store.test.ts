import { describeAuthStoreContract } from "../../auth/store.contract.js";
import { PgAuthStore } from "./pg-auth-store.js";
import { openMigratedPgDatabase } from "./test-support/pg-store-fixture.js";

describeAuthStoreContract("postgresql", async () => {
  const { db, cleanup } = await openMigratedPgDatabase();
  return { store: new PgAuthStore(db), cleanup };
});
