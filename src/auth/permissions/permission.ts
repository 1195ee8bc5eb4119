import { invalidParameter } from "../../core/errors.js";

/**
 * MLflow's permission levels (mlflow/server/auth/permissions.py), each a set of capabilities: READ reads, EDIT also
 * updates, MANAGE also deletes and manages permissions; NO_PERMISSIONS can do nothing. The wire names are MLflow's.
 */
export const PERMISSION_NAMES = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"] as const;
export type PermissionName = (typeof PERMISSION_NAMES)[number];

/** What a route needs, in MLflow's words (validate_can_read_experiment, validate_can_update_..., ...). */
export type Capability = "read" | "update" | "delete" | "manage";

const CAPABILITIES: Record<PermissionName, ReadonlySet<Capability>> = {
  READ: new Set(["read"]),
  EDIT: new Set(["read", "update"]),
  MANAGE: new Set(["read", "update", "delete", "manage"]),
  NO_PERMISSIONS: new Set(),
};

export const allows = (permission: PermissionName, capability: Capability): boolean => CAPABILITIES[permission].has(capability);

/** The least level that has a capability: what a denial message names ("needs EDIT on experiment '1'"). */
export const levelFor = (capability: Capability): PermissionName =>
  capability === "read" ? "READ" : capability === "update" ? "EDIT" : "MANAGE";

export const isPermissionName = (text: string): text is PermissionName => (PERMISSION_NAMES as readonly string[]).includes(text);

/** Parses a permission as MLflow's _validate_permission does, with its message. */
export const parsePermission = (text: string): PermissionName => {
  if (isPermissionName(text)) return text;
  throw invalidParameter(`Invalid permission '${text.slice(0, 64)}'. Valid permissions are: ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')`);
};

/** Resources that carry per-user permissions, as MLflow keys them. */
export type ResourceKind = "experiment" | "registered_model";
