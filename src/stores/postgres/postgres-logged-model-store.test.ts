import { describeLoggedModelStoreContract } from "../../tracking/logged-models/store.contract.js";
import { afterAll } from "vitest";
import { dropTempPgTrackingDatabase, openTempPgTrackingStores } from "./test-support/temp-tracking-stores.js";

describeLoggedModelStoreContract("postgresql", async () => {
  const { tracking, loggedModels, cleanup } = await openTempPgTrackingStores();
  return { tracking, loggedModels, cleanup };
});

afterAll(dropTempPgTrackingDatabase);
