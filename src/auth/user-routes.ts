import { invalidParameter } from "../core/errors.js";
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

/** Users per page of Cairn's users/list: default and most. */
export const USERS_PAGE = { default: 100, max: 1000 } as const;

/** The page token of users/list: the last user name of the page before, so a page follows inserts and deletes. */
const encodeAfter = (username: string): string => Buffer.from(JSON.stringify({ after: username }), "utf8").toString("base64url");
const decodeAfter = (token: string | undefined): string | undefined => {
  if (token === undefined || token === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    const after = (parsed as { after?: unknown } | null)?.after;
    if (typeof after === "string" && after.length <= 256) return after;
  } catch {
    // Reported below, like any other token this server did not write.
  }
  throw invalidParameter("Invalid value for 'page_token': not a token this server wrote.");
};

/**
 * Cairn's list of users for administrators (MLflow's REST API has none; the UI's Users page reads it), in user-name
 * order, a page at a time: `{users: [{id, username, is_admin, created_time}], next_page_token?}`.
 */
export const userListRoutes = (users: UserService): MlflowEndpoint[] => [
  {
    methods: ["GET"],
    path: "users/list",
    handle: async (fields, context) => {
      const maxResults = fields.optionalInt64("max_results") ?? USERS_PAGE.default;
      if (maxResults < 1 || maxResults > USERS_PAGE.max) {
        throw invalidParameter(`Invalid value ${maxResults} for 'max_results': it must be between 1 and ${USERS_PAGE.max}.`);
      }
      const after = decodeAfter(fields.optionalText("page_token"));
      const listed = await users.list(principalOf(context), maxResults + 1, after);
      const page = listed.slice(0, maxResults);
      const last = page.at(-1);
      return {
        users: page.map((user) => ({ id: user.id, username: user.username, is_admin: user.isAdmin, created_time: user.createdTime })),
        ...(listed.length > maxResults && last !== undefined ? { next_page_token: encodeAfter(last.username) } : {}),
      };
    },
  },
];
