import type { Database } from "better-sqlite3";
import { TOKEN_COLUMNS, toSession, toToken, toUser, type SessionRow, type TokenRow, type UserRow } from "../sql/auth-rows.js";
import type { AuthStore, NewUser, SessionOwner, StoredSession, StoredToken, StoredUser, TokenOwner } from "../../auth/store.js";
import { SqliteConnection } from "./statement-cache.js";

export class SqliteAuthStore implements AuthStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
  }

  async createUser(user: NewUser): Promise<StoredUser | undefined> {
    const result = this.conn
      .stmt("INSERT INTO auth_users (username, password_hash, is_admin, created_time) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING")
      .run(user.username, user.passwordHash, user.isAdmin ? 1 : 0, user.createdTime);
    return result.changes === 1 ? { ...user, id: Number(result.lastInsertRowid) } : undefined;
  }

  async getUser(username: string): Promise<StoredUser | undefined> {
    const row = this.conn.stmt("SELECT * FROM auth_users WHERE username = ?").get(username) as UserRow | undefined;
    return row === undefined ? undefined : toUser(row);
  }

  async listUsers(options: { limit: number; after?: string }): Promise<StoredUser[]> {
    const rows = this.conn
      .stmt("SELECT * FROM auth_users WHERE username > ? ORDER BY username LIMIT ?")
      .all(options.after ?? "", options.limit) as UserRow[];
    return rows.map(toUser);
  }

  async countAdmins(): Promise<number> {
    return (this.conn.stmt("SELECT COUNT(*) AS n FROM auth_users WHERE is_admin = 1").get() as { n: number }).n;
  }

  async updatePassword(username: string, passwordHash: string): Promise<boolean> {
    return this.conn.write(() => {
      const changed = this.conn.stmt("UPDATE auth_users SET password_hash = ? WHERE username = ?").run(passwordHash, username).changes === 1;
      if (changed) this.conn.stmt("DELETE FROM auth_sessions WHERE username = ?").run(username);
      return changed;
    });
  }

  async updateAdmin(username: string, isAdmin: boolean): Promise<boolean> {
    return this.conn.stmt("UPDATE auth_users SET is_admin = ? WHERE username = ?").run(isAdmin ? 1 : 0, username).changes === 1;
  }

  async deleteUser(username: string): Promise<boolean> {
    // Tokens and sessions go by ON DELETE CASCADE.
    return this.conn.stmt("DELETE FROM auth_users WHERE username = ?").run(username).changes === 1;
  }

  async createToken(token: StoredToken): Promise<void> {
    this.conn
      .stmt(
        `INSERT INTO auth_tokens (token_id, name, username, secret_sha256, created_time, expiration_time, last_used_time, revoked_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        token.id,
        token.name,
        token.username,
        token.secretSha256,
        token.createdTime,
        token.expirationTime ?? null,
        token.lastUsedTime ?? null,
        token.revokedTime ?? null,
      );
  }

  async getToken(id: string): Promise<StoredToken | undefined> {
    const row = this.conn.stmt(`SELECT ${TOKEN_COLUMNS} FROM auth_tokens t WHERE t.token_id = ?`).get(id) as TokenRow | undefined;
    return row === undefined ? undefined : toToken(row);
  }

  async findTokenBySecret(secretSha256: string): Promise<TokenOwner | undefined> {
    const row = this.conn
      .stmt(`SELECT ${TOKEN_COLUMNS}, u.is_admin FROM auth_tokens t JOIN auth_users u ON u.username = t.username WHERE t.secret_sha256 = ?`)
      .get(secretSha256) as (TokenRow & { is_admin: number }) | undefined;
    return row === undefined ? undefined : { token: toToken(row), isAdmin: row.is_admin === 1 };
  }

  async listTokens(username: string, limit: number): Promise<StoredToken[]> {
    const rows = this.conn
      .stmt(`SELECT ${TOKEN_COLUMNS} FROM auth_tokens t WHERE t.username = ? ORDER BY t.created_time DESC, t.token_id LIMIT ?`)
      .all(username, limit) as TokenRow[];
    return rows.map(toToken);
  }

  async listAllTokens(limit: number): Promise<StoredToken[]> {
    const rows = this.conn.stmt(`SELECT ${TOKEN_COLUMNS} FROM auth_tokens t ORDER BY t.created_time DESC, t.token_id LIMIT ?`).all(limit) as TokenRow[];
    return rows.map(toToken);
  }

  async countActiveTokens(username: string, now: number): Promise<number> {
    const row = this.conn
      .stmt(
        "SELECT COUNT(*) AS n FROM auth_tokens WHERE username = ? AND revoked_time IS NULL AND (expiration_time IS NULL OR expiration_time > ?)",
      )
      .get(username, now) as { n: number };
    return row.n;
  }

  async revokeToken(id: string, now: number): Promise<boolean> {
    return this.conn.stmt("UPDATE auth_tokens SET revoked_time = ? WHERE token_id = ? AND revoked_time IS NULL").run(now, id).changes === 1;
  }

  async touchToken(id: string, now: number): Promise<void> {
    this.conn.stmt("UPDATE auth_tokens SET last_used_time = ? WHERE token_id = ?").run(now, id);
  }

  async createSession(session: StoredSession): Promise<void> {
    this.conn
      .stmt("INSERT INTO auth_sessions (session_sha256, username, created_time, expiration_time, idle_expiration_time) VALUES (?, ?, ?, ?, ?)")
      .run(session.sessionSha256, session.username, session.createdTime, session.expirationTime, session.idleExpirationTime);
  }

  async findSession(sessionSha256: string): Promise<SessionOwner | undefined> {
    const row = this.conn
      .stmt(
        `SELECT s.session_sha256, s.username, s.created_time, s.expiration_time, s.idle_expiration_time, u.is_admin
         FROM auth_sessions s JOIN auth_users u ON u.username = s.username WHERE s.session_sha256 = ?`,
      )
      .get(sessionSha256) as (SessionRow & { is_admin: number }) | undefined;
    return row === undefined ? undefined : { session: toSession(row), isAdmin: row.is_admin === 1 };
  }

  async touchSession(sessionSha256: string, idleExpirationTime: number): Promise<void> {
    this.conn
      .stmt("UPDATE auth_sessions SET idle_expiration_time = MIN(?, expiration_time) WHERE session_sha256 = ?")
      .run(idleExpirationTime, sessionSha256);
  }

  async deleteSession(sessionSha256: string): Promise<boolean> {
    return this.conn.stmt("DELETE FROM auth_sessions WHERE session_sha256 = ?").run(sessionSha256).changes === 1;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return this.conn.stmt("DELETE FROM auth_sessions WHERE expiration_time <= ? OR idle_expiration_time <= ?").run(now, now).changes;
  }

  async countSessions(username: string): Promise<number> {
    return (this.conn.stmt("SELECT COUNT(*) AS n FROM auth_sessions WHERE username = ?").get(username) as { n: number }).n;
  }

  async trimSessions(username: string, keep: number): Promise<number> {
    return this.conn
      .stmt(
        `DELETE FROM auth_sessions WHERE username = ? AND session_sha256 NOT IN (
           SELECT session_sha256 FROM auth_sessions WHERE username = ? ORDER BY created_time DESC, session_sha256 LIMIT ?)`,
      )
      .run(username, username, keep).changes;
  }
}
