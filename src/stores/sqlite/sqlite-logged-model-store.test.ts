import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeLoggedModelStoreContract } from "../../tracking/logged-models/store.contract.js";
import { openSqliteMetadataStores } from "./open-stores.js";
import { SqliteLoggedModelStore } from "./sqlite-logged-model-store.js";
import type { SqliteTrackingStore } from "./sqlite-tracking-store.js";

const open = (adaptivePlans?: boolean) => async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-logged-models-"));
  const stores = await openSqliteMetadataStores(path.join(dir, "cairn.db"));
  const loggedModels =
    adaptivePlans === undefined ? stores.loggedModels : new SqliteLoggedModelStore((stores.tracking as SqliteTrackingStore).database, { adaptivePlans });
  return {
    tracking: stores.tracking,
    loggedModels,
    cleanup: async () => {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

// The store as the server opens it: with test-sized data every metric comparison is selective, so searches with
// one are driven from the metric rows, and a search ordered by a metric first reads it off the metric index.
describeLoggedModelStoreContract("sqlite", open());
// The plain plan, which large unselective filters take: models read in result order, metrics probed one by one.
describeLoggedModelStoreContract("sqlite, plain plan", open(false));
