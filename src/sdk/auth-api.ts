import type { HttpTransport } from "./transport.js";

export interface WhoamiWire {
  auth_enabled: boolean;
  user?: { username: string; is_admin: boolean };
}

export interface TokenInfoWire {
  id: string;
  name: string;
  username: string;
  created_time: number;
  expiration_time?: number;
  last_used_time?: number;
  revoked_time?: number;
}

/** MLflow's basic-auth user, as users/get and users/create answer it. */
export interface UserWire {
  id: number;
  username: string;
  is_admin: boolean;
  experiment_permissions: object[];
  registered_model_permissions: object[];
}

/** Who the client is (`auth/whoami`), personal access tokens, and MLflow's user endpoints. */
export class AuthApi {
  constructor(private readonly http: HttpTransport) {}

  async whoami(): Promise<WhoamiWire> {
    return this.http.callCairn<WhoamiWire>("GET", "auth/whoami");
  }

  /** A new token for the calling user; `token` is its secret, shown this once. */
  async createToken(name: string, expiresInDays?: number): Promise<{ token: string; token_info: TokenInfoWire }> {
    return this.http.callCairn("POST", "tokens/create", { name, expires_in_days: expiresInDays });
  }

  /** The caller's tokens, or (admins) another user's. */
  async listTokens(username?: string): Promise<TokenInfoWire[]> {
    return (await this.http.callCairn<{ tokens?: TokenInfoWire[] }>("GET", "tokens/list", { username })).tokens ?? [];
  }

  async revokeToken(id: string): Promise<void> {
    await this.http.callCairn("POST", "tokens/revoke", { id });
  }

  async createUser(username: string, password: string): Promise<UserWire> {
    return (await this.http.call<{ user: UserWire }>("POST", "users/create", { username, password })).user;
  }

  async getUser(username: string): Promise<UserWire> {
    return (await this.http.call<{ user: UserWire }>("GET", "users/get", { username })).user;
  }

  async updatePassword(username: string, password: string): Promise<void> {
    await this.http.call("PATCH", "users/update-password", { username, password });
  }

  async updateAdmin(username: string, isAdmin: boolean): Promise<void> {
    await this.http.call("PATCH", "users/update-admin", { username, is_admin: isAdmin });
  }

  async deleteUser(username: string): Promise<void> {
    await this.http.call("DELETE", "users/delete", { username });
  }
}
