import { describe, expect, it } from "vitest";
import { allows, levelFor, parsePermission, PERMISSION_NAMES, type Capability } from "./permission.js";

describe("MLflow's permission levels", () => {
  it("give exactly MLflow's capabilities (permissions.py)", () => {
    const capabilities: Capability[] = ["read", "update", "delete", "manage"];
    const table = Object.fromEntries(PERMISSION_NAMES.map((name) => [name, capabilities.filter((capability) => allows(name, capability))]));
    expect(table).toEqual({
      READ: ["read"],
      EDIT: ["read", "update"],
      MANAGE: ["read", "update", "delete", "manage"],
      NO_PERMISSIONS: [],
    });
  });

  it("name the least level of a capability in denials", () => {
    expect([levelFor("read"), levelFor("update"), levelFor("delete"), levelFor("manage")]).toEqual(["READ", "EDIT", "MANAGE", "MANAGE"]);
  });

  it("parse as MLflow does, case-sensitively, with its message", () => {
    expect(parsePermission("EDIT")).toBe("EDIT");
    expect(() => parsePermission("edit")).toThrow("Invalid permission 'edit'. Valid permissions are: ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')");
    expect(() => parsePermission("ADMIN")).toThrow("Invalid permission 'ADMIN'");
  });
});
