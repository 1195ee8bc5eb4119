import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../audit/recorder.js";
import { notFound } from "../../core/errors.js";
import { openDatabase } from "../../stores/sqlite/open-database.js";
import { SqlitePermissionStore } from "../../stores/sqlite/sqlite-permission-store.js";
import type { Principal } from "../principal.js";
import type { PermissionName } from "./permission.js";
import { describeNeed, PermissionService } from "./permission-service.js";

/** The service's rules over a real SQLite store: default, explicit grants, administrators, approvers, MLflow's errors. */
let folder: string;
let db: Database;
let audited: AuditEntry[];

const ctx = { actor: { name: "root", verified: true }, requestId: "r1" };
const ada: Principal = { username: "ada", isAdmin: false, via: "password" };
const root: Principal = { username: "root", isAdmin: true, via: "password" };

const serviceWith = (defaultPermission: PermissionName): PermissionService =>
  new PermissionService(new SqlitePermissionStore(db), {
    defaultPermission,
    users: { userIdOf: async (username) => ({ ada: 2, bob: 3 })[username] },
    exists: {
      experiment: async (id) => {
        if (!["0", "1"].includes(id)) throw notFound(`No Experiment with id=${id} exists`);
      },
      registeredModel: async (name) => {
        if (name !== "churn") throw notFound(`Registered Model with name=${name} not found`);
      },
    },
    audit: { record: async (_ctx, entry) => void audited.push(entry) },
    clock: () => 1234,
  });

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), "cairn-permission-service-"));
  db = openDatabase(path.join(folder, "cairn.db"));
  audited = [];
});
afterEach(() => {
  db.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("PermissionService", () => {
  it("falls back to the default permission, and an explicit grant overrides it either way", async () => {
    const service = serviceWith("READ");
    expect(await service.meets(ada, { on: "experiment", id: "1", capability: "read" })).toBe(true);
    expect(await service.meets(ada, { on: "experiment", id: "1", capability: "update" })).toBe(false);
    await service.createExperimentPermission({ experimentId: "1", username: "ada", permission: "NO_PERMISSIONS" }, ctx);
    expect(await service.meets(ada, { on: "experiment", id: "1", capability: "read" })).toBe(false);
    await service.createModelPermission({ name: "churn", username: "ada", permission: "EDIT" }, ctx);
    expect(await service.meets(ada, { on: "registered_model", name: "churn", capability: "update" })).toBe(true);
    expect(await service.meets(ada, { on: "registered_model", name: "churn", capability: "delete" })).toBe(false);

    const closed = serviceWith("NO_PERMISSIONS");
    expect(await closed.meets(ada, { on: "experiment", id: "0", capability: "read" })).toBe(false);
    expect(await closed.meets(ada, { on: "registered_model", name: "churn", capability: "update" })).toBe(true);
  });

  it("lets administrators meet everything, and only them the admin requirement; self means the same user", async () => {
    const service = serviceWith("NO_PERMISSIONS");
    for (const need of [
      { on: "experiment", id: "1", capability: "manage" },
      { on: "approver", name: "churn" },
      { on: "admin", what: "x" },
      { on: "self", username: "bob", what: "x" },
    ] as const) {
      expect(await service.meets(root, need)).toBe(true);
    }
    expect(await service.meets(ada, { on: "admin", what: "x" })).toBe(false);
    expect(await service.meets(ada, { on: "self", username: "ADA ", what: "x" })).toBe(true);
    expect(await service.meets(ada, { on: "self", username: "bob", what: "x" })).toBe(false);
  });

  it("counts only named approvers", async () => {
    const service = serviceWith("MANAGE");
    expect(await service.meets(ada, { on: "approver", name: "churn" })).toBe(false);
    expect(await service.addApprover("churn", "ada", ctx)).toEqual({ name: "churn", username: "ada", grantedBy: "root", grantedTime: 1234 });
    expect(await service.meets(ada, { on: "approver", name: "churn" })).toBe(true);
    await expect(service.addApprover("churn", "ada", ctx)).rejects.toThrow("User 'ada' already is an approver of registered model 'churn'");
    await expect(service.addApprover("churn", "zed", ctx)).rejects.toThrow("User with username=zed not found");
    await expect(service.addApprover("fraud", "ada", ctx)).rejects.toThrow("Registered Model with name=fraud not found");
    await service.removeApprover("churn", "ada", ctx);
    await expect(service.removeApprover("churn", "ada", ctx)).rejects.toThrow("User 'ada' is not an approver of registered model 'churn'");
  });

  it("answers MLflow's errors for grants, and audits each change", async () => {
    const service = serviceWith("READ");
    expect(await service.createExperimentPermission({ experimentId: "1", username: "ada", permission: "EDIT" }, ctx)).toEqual({
      experimentId: "1",
      username: "ada",
      permission: "EDIT",
      userId: 2,
    });
    await expect(service.createExperimentPermission({ experimentId: "1", username: "ada", permission: "READ" }, ctx)).rejects.toMatchObject({
      code: "RESOURCE_ALREADY_EXISTS",
      message: "Experiment permission (experiment_id=1, username=ada) already exists",
    });
    await expect(service.getExperimentPermission("1", "bob")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "Experiment permission with experiment_id=1 and username=bob not found",
    });
    await expect(service.createExperimentPermission({ experimentId: "7", username: "ada", permission: "READ" }, ctx)).rejects.toThrow("No Experiment with id=7 exists");
    await expect(service.updateModelPermission({ name: "churn", username: "ada", permission: "READ" }, ctx)).rejects.toMatchObject({
      message: "Registered model permission with name=churn and username=ada not found",
    });
    await service.updateExperimentPermission({ experimentId: "1", username: "ada", permission: "MANAGE" }, ctx);
    await service.deleteExperimentPermission("1", "ada", ctx);
    expect(audited).toEqual([
      { action: "auth.experiment_permission.create", entityType: "experiment", entityId: "1", after: { username: "ada", permission: "EDIT" } },
      {
        action: "auth.experiment_permission.update",
        entityType: "experiment",
        entityId: "1",
        before: { username: "ada", permission: "EDIT" },
        after: { username: "ada", permission: "MANAGE" },
      },
      { action: "auth.experiment_permission.delete", entityType: "experiment", entityId: "1", before: { username: "ada", permission: "MANAGE" } },
    ]);
  });

  it("words denials as the contract says", () => {
    expect(describeNeed({ on: "experiment", id: "3", capability: "update" })).toBe("EDIT on experiment '3'");
    expect(describeNeed({ on: "registered_model", name: "churn", capability: "delete" })).toBe("MANAGE on registered model 'churn'");
    expect(describeNeed({ on: "approver", name: "churn" })).toBe("the approver permission on registered model 'churn'");
  });
});
