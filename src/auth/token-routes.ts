import type { MlflowEndpoint } from "../server/mlflow-endpoint.js";
import type { StoredToken } from "./store.js";
import type { TokenService } from "./token-service.js";
import { principalOf } from "./user-routes.js";

/** What a client sees of a token: never its secret (nor its hash). */
export const tokenInfo = (token: StoredToken) => ({
  id: token.id,
  name: token.name,
  username: token.username,
  created_time: token.createdTime,
  ...(token.expirationTime === undefined ? {} : { expiration_time: token.expirationTime }),
  ...(token.lastUsedTime === undefined ? {} : { last_used_time: token.lastUsedTime }),
  ...(token.revokedTime === undefined ? {} : { revoked_time: token.revokedTime }),
});

/** Personal access tokens, under /api/2.0/cairn (cairnEndpoints). */
export const tokenRoutes = (tokens: TokenService): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "tokens/create",
    handle: async (fields, context) => {
      const days = fields.optionalInt64("expires_in_days");
      const { secret, token } = await tokens.create(principalOf(context), context, fields.requiredString("name"), days);
      return { token: secret, token_info: tokenInfo(token) };
    },
  },
  {
    methods: ["GET"],
    path: "tokens/list",
    handle: async (fields, context) => ({ tokens: (await tokens.list(principalOf(context), fields.optionalText("username"))).map(tokenInfo) }),
  },
  {
    methods: ["POST"],
    path: "tokens/revoke",
    handle: async (fields, context) => {
      await tokens.revoke(principalOf(context), context, fields.requiredString("id"));
      return {};
    },
  },
];
