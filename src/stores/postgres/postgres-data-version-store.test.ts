import { describeDataVersionStoreContract } from "../../pipelines/server/data-versions-store.contract.js";
import { openTempPgTrackingStores } from "./test-support/temp-tracking-stores.js";

describeDataVersionStoreContract("postgresql", async () => {
  const { tracking, dataVersions, cleanup } = await openTempPgTrackingStores();
  return { store: dataVersions, tracking, cleanup };
});
