import { describeDataVersionStoreContract } from "../../pipelines/server/data-versions-store.contract.js";
import { afterAll } from "vitest";
import { dropTempPgTrackingDatabase, openTempPgTrackingStores } from "./test-support/temp-tracking-stores.js";

describeDataVersionStoreContract("postgresql", async () => {
  const { tracking, dataVersions, cleanup } = await openTempPgTrackingStores();
  return { store: dataVersions, tracking, cleanup };
});

afterAll(dropTempPgTrackingDatabase);
