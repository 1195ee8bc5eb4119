import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeLoggedModelStoreContract } from "../../tracking/logged-models/store.contract.js";
import { openSqliteMetadataStores } from "./open-stores.js";
import { SqliteLoggedModelStore } from "./sqlite-logged-model-store.js";
import type { SqliteTrackingStore } from "./sqlite-tracking-store.js";

const open = (drivingMetricMaxRows?: number) => async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-logged-models-"));
  const stores = await openSqliteMetadataStores(path.join(dir, "cairn.db"));
  const loggedModels =
    drivingMetricMaxRows === undefined
      ? stores.loggedModels
      : new SqliteLoggedModelStore((stores.tracking as SqliteTrackingStore).database, { drivingMetricMaxRows });
  return {
    tracking: stores.tracking,
    loggedModels,
    cleanup: async () => {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

// Small test data makes every metric comparison selective: the default store drives searches from the metric rows.
describeLoggedModelStoreContract("sqlite", open());
// The other plan, which large unselective filters take: models probed one by one in result order.
describeLoggedModelStoreContract("sqlite, metric filters probed model by model", open(-1));
