/**
 * The persistence port of authentication: users, personal access tokens and UI sessions. Names arrive
 * case-normalized (normalizeUsername); secrets never reach the store, only their sha256 (tokens, sessions) or the
 * scrypt hash (passwords).
 */
export interface NewUser {
  username: string;
  /** `scrypt$N$r$p$<salt b64>$<hash b64>` (password-hash.ts). */
  passwordHash: string;
  isAdmin: boolean;
  createdTime: number;
}

export interface StoredUser extends NewUser {
  /** Assigned by the store; never reused. */
  id: number;
}

export interface StoredToken {
  id: string;
  name: string;
  username: string;
  secretSha256: string;
  createdTime: number;
  expirationTime?: number;
  lastUsedTime?: number;
  revokedTime?: number;
}

export interface StoredSession {
  sessionSha256: string;
  username: string;
  createdTime: number;
  /** Absolute end of the session, whatever its use. */
  expirationTime: number;
  /** End of the session unless it is used again before (each use moves it forward, never past expirationTime). */
  idleExpirationTime: number;
}

/** A token found by its secret, with its owner's current admin flag (one read on the hot path). */
export interface TokenOwner {
  token: StoredToken;
  isAdmin: boolean;
}

/** A session found by its cookie, with its owner's admin flag. */
export interface SessionOwner {
  session: StoredSession;
  isAdmin: boolean;
}

export interface AuthStore {
  /** The stored user; undefined when the name is taken. */
  createUser(user: NewUser): Promise<StoredUser | undefined>;
  getUser(username: string): Promise<StoredUser | undefined>;
  /** Users in name order, at most `limit`, after `after` (exclusive) when given. */
  listUsers(options: { limit: number; after?: string }): Promise<StoredUser[]>;
  countAdmins(): Promise<number>;
  /** false when the user does not exist. Also ends the user's UI sessions (a changed password signs out everywhere). */
  updatePassword(username: string, passwordHash: string): Promise<boolean>;
  updateAdmin(username: string, isAdmin: boolean): Promise<boolean>;
  /** Deletes the user with their tokens and sessions; false when absent. */
  deleteUser(username: string): Promise<boolean>;

  createToken(token: StoredToken): Promise<void>;
  getToken(id: string): Promise<StoredToken | undefined>;
  findTokenBySecret(secretSha256: string): Promise<TokenOwner | undefined>;
  /** A user's tokens (revoked ones too), newest first, at most `limit`. */
  listTokens(username: string, limit: number): Promise<StoredToken[]>;
  /** Every user's tokens, newest first, at most `limit` (admins). */
  listAllTokens(limit: number): Promise<StoredToken[]>;
  countActiveTokens(username: string, now: number): Promise<number>;
  /** false when absent or already revoked. */
  revokeToken(id: string, now: number): Promise<boolean>;
  /** Records a use; callers throttle it (once a minute per token), it is not a hot-path write. */
  touchToken(id: string, now: number): Promise<void>;

  createSession(session: StoredSession): Promise<void>;
  findSession(sessionSha256: string): Promise<SessionOwner | undefined>;
  /** Moves the idle expiry forward. */
  touchSession(sessionSha256: string, idleExpirationTime: number): Promise<void>;
  deleteSession(sessionSha256: string): Promise<boolean>;
  /** Removes sessions past either expiry; returns how many. */
  deleteExpiredSessions(now: number): Promise<number>;
  countSessions(username: string): Promise<number>;
  /** Keeps the user's `keep` newest sessions, deleting older ones (bounds the sessions of one user). */
  trimSessions(username: string, keep: number): Promise<number>;
}
