import type { Fields } from "../../protocol/mlflow/fields.js";
import type { MlflowEndpoint } from "../../server/mlflow-endpoint.js";
import { parseUsername } from "../usernames.js";
import { parsePermission } from "./permission.js";
import type { PermissionService } from "./permission-service.js";
import type { ApproverGrant } from "./store.js";

export const MAX_APPROVERS_LISTED = 1000;
/** MLflow's users/get lists every grant of a user; Cairn lists at most this many of each kind. */
export const MAX_GRANTS_LISTED = 10_000;

/** The user a grant names, spelled as the user store spells it (NFKC, lower-case, bounded). */
const usernameOf = (fields: Fields): string => parseUsername(fields.requiredString("username"));

const permissionOf = (fields: Fields) => parsePermission(fields.requiredString("permission"));

const approverJson = (grant: ApproverGrant): Record<string, unknown> => ({
  name: grant.name,
  username: grant.username,
  granted_by: grant.grantedBy,
  granted_time: grant.grantedTime,
});

/** MLflow's permission endpoints (mlflow/server/auth/routes.py), with its methods and answer shapes. */
export const permissionEndpoints = (service: PermissionService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "experiments/permissions/create",
    handle: async (fields, ctx) => {
      const grant = { experimentId: fields.requiredString("experiment_id"), username: usernameOf(fields), permission: permissionOf(fields) };
      const created = await service.createExperimentPermission(grant, ctx);
      return { experiment_permission: { experiment_id: created.experimentId, user_id: created.userId, permission: created.permission } };
    },
  },
  {
    methods: ["GET"],
    path: "experiments/permissions/get",
    handle: async (fields) => {
      const found = await service.getExperimentPermission(fields.requiredString("experiment_id"), usernameOf(fields));
      return { experiment_permission: { experiment_id: found.experimentId, user_id: found.userId, permission: found.permission } };
    },
  },
  {
    methods: ["PATCH"],
    path: "experiments/permissions/update",
    handle: async (fields, ctx) => {
      await service.updateExperimentPermission(
        { experimentId: fields.requiredString("experiment_id"), username: usernameOf(fields), permission: permissionOf(fields) },
        ctx,
      );
      return {};
    },
  },
  {
    methods: ["DELETE"],
    path: "experiments/permissions/delete",
    handle: async (fields, ctx) => {
      await service.deleteExperimentPermission(fields.requiredString("experiment_id"), usernameOf(fields), ctx);
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "registered-models/permissions/create",
    handle: async (fields, ctx) => {
      const grant = { name: fields.requiredString("name"), username: usernameOf(fields), permission: permissionOf(fields) };
      const created = await service.createModelPermission(grant, ctx);
      return { registered_model_permission: { name: created.name, user_id: created.userId, permission: created.permission } };
    },
  },
  {
    methods: ["GET"],
    path: "registered-models/permissions/get",
    handle: async (fields) => {
      const found = await service.getModelPermission(fields.requiredString("name"), usernameOf(fields));
      return { registered_model_permission: { name: found.name, user_id: found.userId, permission: found.permission } };
    },
  },
  {
    methods: ["PATCH"],
    path: "registered-models/permissions/update",
    handle: async (fields, ctx) => {
      await service.updateModelPermission({ name: fields.requiredString("name"), username: usernameOf(fields), permission: permissionOf(fields) }, ctx);
      return {};
    },
  },
  {
    methods: ["DELETE"],
    path: "registered-models/permissions/delete",
    handle: async (fields, ctx) => {
      await service.deleteModelPermission(fields.requiredString("name"), usernameOf(fields), ctx);
      return {};
    },
  },
];

/** Cairn's approvers of a registered model's promotions (under /api/2.0/cairn), managed by administrators. */
export const approverEndpoints = (service: PermissionService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "approvers/create",
    handle: async (fields, ctx) => ({ approver: approverJson(await service.addApprover(fields.requiredString("name"), usernameOf(fields), ctx)) }),
  },
  {
    methods: ["DELETE"],
    path: "approvers/delete",
    handle: async (fields, ctx) => {
      await service.removeApprover(fields.requiredString("name"), usernameOf(fields), ctx);
      return {};
    },
  },
  {
    methods: ["GET"],
    path: "approvers/list",
    handle: async (fields) => ({ approvers: (await service.listApprovers(fields.requiredString("name"), MAX_APPROVERS_LISTED)).map(approverJson) }),
  },
];
