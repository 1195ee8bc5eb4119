import type { AuthStore, NewUser, SessionOwner, StoredSession, StoredToken, StoredUser, TokenOwner } from "../../auth/store.js";
import { TOKEN_COLUMNS, toSession, toToken, toUser, type SessionRow, type TokenRow, type UserRow } from "../sql/auth-rows.js";
import type { PgDatabase } from "./pg-database.js";

const USER_COLUMNS = "user_id, username, password_hash, is_admin, created_time";

/** The AuthStore on PostgreSQL (schema/003-audit.ts), statement for statement as SqliteAuthStore. */
export class PgAuthStore implements AuthStore {
  constructor(private readonly db: PgDatabase) {}

  async createUser(user: NewUser): Promise<StoredUser | undefined> {
    const row = await this.db.one<{ user_id: number }>(
      "INSERT INTO auth_users (username, password_hash, is_admin, created_time) VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING RETURNING user_id",
      [user.username, user.passwordHash, user.isAdmin ? 1 : 0, user.createdTime],
    );
    return row === undefined ? undefined : { ...user, id: row.user_id };
  }

  async getUser(username: string): Promise<StoredUser | undefined> {
    const row = await this.db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM auth_users WHERE username = $1`, [username]);
    return row === undefined ? undefined : toUser(row);
  }

  async listUsers(options: { limit: number; after?: string }): Promise<StoredUser[]> {
    const rows = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM auth_users WHERE username > $1 ORDER BY username LIMIT $2`, [
      options.after ?? "",
      options.limit,
    ]);
    return rows.map(toUser);
  }

  async countAdmins(): Promise<number> {
    return (await this.db.one<{ n: number }>("SELECT COUNT(*)::bigint AS n FROM auth_users WHERE is_admin = 1"))?.n ?? 0;
  }

  async updatePassword(username: string, passwordHash: string): Promise<boolean> {
    return this.db.transaction(async () => {
      const changed = (await this.db.execute("UPDATE auth_users SET password_hash = $1 WHERE username = $2", [passwordHash, username])) === 1;
      if (changed) await this.db.execute("DELETE FROM auth_sessions WHERE username = $1", [username]);
      return changed;
    });
  }

  async updateAdmin(username: string, isAdmin: boolean): Promise<boolean> {
    return (await this.db.execute("UPDATE auth_users SET is_admin = $1 WHERE username = $2", [isAdmin ? 1 : 0, username])) === 1;
  }

  async deleteUser(username: string): Promise<boolean> {
    // Tokens and sessions go by ON DELETE CASCADE.
    return (await this.db.execute("DELETE FROM auth_users WHERE username = $1", [username])) === 1;
  }

  async createToken(token: StoredToken): Promise<void> {
    await this.db.query(
      `INSERT INTO auth_tokens (token_id, name, username, secret_sha256, created_time, expiration_time, last_used_time, revoked_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        token.id,
        token.name,
        token.username,
        token.secretSha256,
        token.createdTime,
        token.expirationTime ?? null,
        token.lastUsedTime ?? null,
        token.revokedTime ?? null,
      ],
    );
  }

  async getToken(id: string): Promise<StoredToken | undefined> {
    const row = await this.db.one<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM auth_tokens t WHERE t.token_id = $1`, [id]);
    return row === undefined ? undefined : toToken(row);
  }

  async findTokenBySecret(secretSha256: string): Promise<TokenOwner | undefined> {
    const row = await this.db.one<TokenRow & { is_admin: number }>(
      `SELECT ${TOKEN_COLUMNS}, u.is_admin FROM auth_tokens t JOIN auth_users u ON u.username = t.username WHERE t.secret_sha256 = $1`,
      [secretSha256],
    );
    return row === undefined ? undefined : { token: toToken(row), isAdmin: row.is_admin === 1 };
  }

  async listTokens(username: string, limit: number): Promise<StoredToken[]> {
    const rows = await this.db.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM auth_tokens t WHERE t.username = $1 ORDER BY t.created_time DESC, t.token_id LIMIT $2`,
      [username, limit],
    );
    return rows.map(toToken);
  }

  async listAllTokens(limit: number): Promise<StoredToken[]> {
    const rows = await this.db.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM auth_tokens t ORDER BY t.created_time DESC, t.token_id LIMIT $1`, [limit]);
    return rows.map(toToken);
  }

  async countActiveTokens(username: string, now: number): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      "SELECT COUNT(*)::bigint AS n FROM auth_tokens WHERE username = $1 AND revoked_time IS NULL AND (expiration_time IS NULL OR expiration_time > $2)",
      [username, now],
    );
    return row?.n ?? 0;
  }

  async revokeToken(id: string, now: number): Promise<boolean> {
    return (await this.db.execute("UPDATE auth_tokens SET revoked_time = $1 WHERE token_id = $2 AND revoked_time IS NULL", [now, id])) === 1;
  }

  async touchToken(id: string, now: number): Promise<void> {
    await this.db.execute("UPDATE auth_tokens SET last_used_time = $1 WHERE token_id = $2", [now, id]);
  }

  async createSession(session: StoredSession): Promise<void> {
    await this.db.query(
      "INSERT INTO auth_sessions (session_sha256, username, created_time, expiration_time, idle_expiration_time) VALUES ($1, $2, $3, $4, $5)",
      [session.sessionSha256, session.username, session.createdTime, session.expirationTime, session.idleExpirationTime],
    );
  }

  async findSession(sessionSha256: string): Promise<SessionOwner | undefined> {
    const row = await this.db.one<SessionRow & { is_admin: number }>(
      `SELECT s.session_sha256, s.username, s.created_time, s.expiration_time, s.idle_expiration_time, u.is_admin
       FROM auth_sessions s JOIN auth_users u ON u.username = s.username WHERE s.session_sha256 = $1`,
      [sessionSha256],
    );
    return row === undefined ? undefined : { session: toSession(row), isAdmin: row.is_admin === 1 };
  }

  async touchSession(sessionSha256: string, idleExpirationTime: number): Promise<void> {
    await this.db.execute("UPDATE auth_sessions SET idle_expiration_time = LEAST($1::bigint, expiration_time) WHERE session_sha256 = $2", [
      idleExpirationTime,
      sessionSha256,
    ]);
  }

  async deleteSession(sessionSha256: string): Promise<boolean> {
    return (await this.db.execute("DELETE FROM auth_sessions WHERE session_sha256 = $1", [sessionSha256])) === 1;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return this.db.execute("DELETE FROM auth_sessions WHERE expiration_time <= $1 OR idle_expiration_time <= $1", [now]);
  }

  async countSessions(username: string): Promise<number> {
    return (await this.db.one<{ n: number }>("SELECT COUNT(*)::bigint AS n FROM auth_sessions WHERE username = $1", [username]))?.n ?? 0;
  }

  async trimSessions(username: string, keep: number): Promise<number> {
    return this.db.execute(
      `DELETE FROM auth_sessions WHERE username = $1 AND session_sha256 NOT IN (
         SELECT session_sha256 FROM auth_sessions WHERE username = $1 ORDER BY created_time DESC, session_sha256 LIMIT $2)`,
      [username, keep],
    );
  }
}
