import type { Fields } from "../protocol/mlflow/fields.js";
import type { MlflowEndpoint, RequestContext } from "../server/mlflow-endpoint.js";
import { unauthenticated } from "./authenticator.js";
import type { Principal } from "./principal.js";
import type { StoredUser } from "./store.js";
import type { UserService } from "./user-service.js";

/** A user's permission lists as MLflow's `users/get` reports them; the permissions domain fills them in. */
export interface UserPermissionLists {
  experiment_permissions: object[];
  registered_model_permissions: object[];
}
export type UserPermissionsOf = (username: string) => Promise<UserPermissionLists>;

const NO_PERMISSIONS: UserPermissionsOf = async () => ({ experiment_permissions: [], registered_model_permissions: [] });

export const principalOf = (context: RequestContext): Principal => {
  if (context.principal === undefined) throw unauthenticated("Authentication required.");
  return context.principal;
};

/** MLflow's `User.to_json()`: id, name, admin flag, and the user's permissions. */
const userJson = async (user: StoredUser, permissionsOf: UserPermissionsOf) => ({
  id: user.id,
  username: user.username,
  is_admin: user.isAdmin,
  ...(await permissionsOf(user.username)),
});

const username = (fields: Fields): string => fields.requiredString("username");

/**
 * MLflow's basic-auth user endpoints under /api/2.0/mlflow (and /ajax-api/2.0/mlflow), with its request and response
 * shapes: create and get answer `{"user": {...}}`, the others `{}`.
 */
export const userRoutes = (users: UserService, permissionsOf: UserPermissionsOf = NO_PERMISSIONS): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "users/create",
    handle: async (fields, context) => {
      const user = await users.create(principalOf(context), context, username(fields), fields.requiredString("password"));
      return { user: await userJson(user, permissionsOf) };
    },
  },
  {
    methods: ["GET"],
    path: "users/get",
    handle: async (fields, context) => ({ user: await userJson(await users.get(principalOf(context), username(fields)), permissionsOf) }),
  },
  {
    methods: ["PATCH"],
    path: "users/update-password",
    handle: async (fields, context) => {
      await users.updatePassword(principalOf(context), context, username(fields), fields.requiredString("password"));
      return {};
    },
  },
  {
    methods: ["PATCH"],
    path: "users/update-admin",
    handle: async (fields, context) => {
      const isAdmin = fields.optionalBoolean("is_admin");
      if (isAdmin === undefined) fields.requiredString("is_admin");
      await users.updateAdmin(principalOf(context), context, username(fields), isAdmin === true);
      return {};
    },
  },
  {
    methods: ["DELETE"],
    path: "users/delete",
    handle: async (fields, context) => {
      await users.delete(principalOf(context), context, username(fields));
      return {};
    },
  },
];
