import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeLoggedModelStoreContract } from "../../tracking/logged-models/store.contract.js";
import { openSqliteMetadataStores } from "./open-stores.js";

describeLoggedModelStoreContract("sqlite", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-logged-models-"));
  const stores = await openSqliteMetadataStores(path.join(dir, "cairn.db"));
  return {
    tracking: stores.tracking,
    loggedModels: stores.loggedModels,
    cleanup: async () => {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
