import { describeTrackingStoreContract } from "../../tracking/store.contract.js";
import { afterAll } from "vitest";
import { dropTempPgTrackingDatabase, openTempPgTrackingStores } from "./test-support/temp-tracking-stores.js";

describeTrackingStoreContract("postgresql", async () => {
  const { tracking, cleanup } = await openTempPgTrackingStores();
  return { store: tracking, cleanup };
});

afterAll(dropTempPgTrackingDatabase);
