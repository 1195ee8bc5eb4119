import { describeTrackingStoreContract } from "../../tracking/store.contract.js";
import { openTempPgTrackingStores } from "./test-support/temp-tracking-stores.js";

describeTrackingStoreContract("postgresql", async () => {
  const { tracking, cleanup } = await openTempPgTrackingStores();
  return { store: tracking, cleanup };
});
