import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PermissionStore } from "./store.js";

/**
 * The contract every PermissionStore backend passes: one permission per (resource, user), create refuses a second,
 * update and delete report a missing grant, approvers are listed by name and bounded, and grants follow model renames
 * and deletes and user deletes.
 */
export type OpenPermissionStore = () => Promise<{ store: PermissionStore; cleanup(): Promise<void> }>;

export function describePermissionStoreContract(backend: string, open: OpenPermissionStore): void {
  describe(`PermissionStore contract: ${backend}`, () => {
    let store: PermissionStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    it("keeps one experiment permission per (experiment, user): create once, update, delete", async () => {
      expect(await store.createExperimentPermission({ experimentId: "1", username: "ada", permission: "READ" })).toBe(true);
      expect(await store.createExperimentPermission({ experimentId: "1", username: "ada", permission: "MANAGE" })).toBe(false);
      expect(await store.getExperimentPermission("1", "ada")).toEqual({ experimentId: "1", username: "ada", permission: "READ" });
      expect(await store.getExperimentPermission("1", "bob")).toBeUndefined();
      expect(await store.getExperimentPermission("2", "ada")).toBeUndefined();
      expect(await store.updateExperimentPermission({ experimentId: "1", username: "ada", permission: "EDIT" })).toBe(true);
      expect(await store.updateExperimentPermission({ experimentId: "1", username: "bob", permission: "EDIT" })).toBe(false);
      expect((await store.getExperimentPermission("1", "ada"))?.permission).toBe("EDIT");
      expect(await store.deleteExperimentPermission("1", "ada")).toBe(true);
      expect(await store.deleteExperimentPermission("1", "ada")).toBe(false);
      expect(await store.getExperimentPermission("1", "ada")).toBeUndefined();
    });

    it("keeps one registered-model permission per (model, user), NO_PERMISSIONS included", async () => {
      expect(await store.createModelPermission({ name: "churn", username: "ada", permission: "NO_PERMISSIONS" })).toBe(true);
      expect(await store.createModelPermission({ name: "churn", username: "ada", permission: "READ" })).toBe(false);
      expect(await store.getModelPermission("churn", "ada")).toEqual({ name: "churn", username: "ada", permission: "NO_PERMISSIONS" });
      expect(await store.getModelPermission("Churn", "ada")).toBeUndefined();
      expect(await store.updateModelPermission({ name: "churn", username: "ada", permission: "MANAGE" })).toBe(true);
      expect((await store.getModelPermission("churn", "ada"))?.permission).toBe("MANAGE");
      expect(await store.updateModelPermission({ name: "other", username: "ada", permission: "MANAGE" })).toBe(false);
      expect(await store.deleteModelPermission("churn", "ada")).toBe(true);
      expect(await store.deleteModelPermission("churn", "ada")).toBe(false);
    });

    it("lists a user's grants, experiments in numeric order and models by name, bounded", async () => {
      await store.createExperimentPermission({ experimentId: "10", username: "ada", permission: "READ" });
      await store.createExperimentPermission({ experimentId: "9", username: "ada", permission: "MANAGE" });
      await store.createExperimentPermission({ experimentId: "9", username: "bob", permission: "EDIT" });
      await store.createModelPermission({ name: "zeta", username: "ada", permission: "EDIT" });
      await store.createModelPermission({ name: "alpha", username: "ada", permission: "NO_PERMISSIONS" });
      expect(await store.experimentPermissionsOf("ada", 10)).toEqual([
        { experimentId: "9", username: "ada", permission: "MANAGE" },
        { experimentId: "10", username: "ada", permission: "READ" },
      ]);
      expect(await store.experimentPermissionsOf("ada", 1)).toHaveLength(1);
      expect(await store.modelPermissionsOf("ada", 10)).toEqual([
        { name: "alpha", username: "ada", permission: "NO_PERMISSIONS" },
        { name: "zeta", username: "ada", permission: "EDIT" },
      ]);
      expect(await store.modelPermissionsOf("carol", 10)).toEqual([]);
    });

    it("lists a model's approvers by user name, bounded, and adds each once", async () => {
      expect(await store.addApprover({ name: "churn", username: "carol", grantedBy: "admin", grantedTime: 3 })).toBe(true);
      expect(await store.addApprover({ name: "churn", username: "ada", grantedBy: "admin", grantedTime: 5 })).toBe(true);
      expect(await store.addApprover({ name: "churn", username: "ada", grantedBy: "root", grantedTime: 9 })).toBe(false);
      expect(await store.addApprover({ name: "other", username: "bob", grantedBy: "admin", grantedTime: 1 })).toBe(true);
      expect(await store.listApprovers("churn", 10)).toEqual([
        { name: "churn", username: "ada", grantedBy: "admin", grantedTime: 5 },
        { name: "churn", username: "carol", grantedBy: "admin", grantedTime: 3 },
      ]);
      expect((await store.listApprovers("churn", 1)).map((grant) => grant.username)).toEqual(["ada"]);
      expect(await store.isApprover("churn", "ada")).toBe(true);
      expect(await store.isApprover("churn", "bob")).toBe(false);
      expect(await store.removeApprover("churn", "ada")).toBe(true);
      expect(await store.removeApprover("churn", "ada")).toBe(false);
      expect(await store.isApprover("churn", "ada")).toBe(false);
    });

    it("moves a model's grants on rename, replacing stale grants under the new name, and deletes them with the model", async () => {
      await store.createModelPermission({ name: "churn", username: "ada", permission: "MANAGE" });
      await store.createModelPermission({ name: "churn-v2", username: "ada", permission: "READ" });
      await store.addApprover({ name: "churn", username: "bob", grantedBy: "admin", grantedTime: 1 });
      await store.renameModel("churn", "churn-v2");
      expect(await store.getModelPermission("churn", "ada")).toBeUndefined();
      expect((await store.getModelPermission("churn-v2", "ada"))?.permission).toBe("MANAGE");
      expect(await store.isApprover("churn-v2", "bob")).toBe(true);
      expect(await store.isApprover("churn", "bob")).toBe(false);
      await store.deleteModel("churn-v2");
      expect(await store.getModelPermission("churn-v2", "ada")).toBeUndefined();
      expect(await store.listApprovers("churn-v2", 10)).toEqual([]);
    });

    it("deletes every grant of a deleted user and only theirs", async () => {
      await store.createExperimentPermission({ experimentId: "1", username: "ada", permission: "EDIT" });
      await store.createExperimentPermission({ experimentId: "1", username: "bob", permission: "EDIT" });
      await store.createModelPermission({ name: "churn", username: "ada", permission: "MANAGE" });
      await store.addApprover({ name: "churn", username: "ada", grantedBy: "admin", grantedTime: 1 });
      await store.deleteUser("ada");
      expect(await store.getExperimentPermission("1", "ada")).toBeUndefined();
      expect(await store.getModelPermission("churn", "ada")).toBeUndefined();
      expect(await store.isApprover("churn", "ada")).toBe(false);
      expect((await store.getExperimentPermission("1", "bob"))?.permission).toBe("EDIT");
    });
  });
}
