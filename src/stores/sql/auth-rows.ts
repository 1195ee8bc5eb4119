import type { StoredSession, StoredToken, StoredUser } from "../../auth/store.js";

/** Rows of the auth tables and their mapping, the same on both SQL backends. */
export interface UserRow {
  user_id: number;
  username: string;
  password_hash: string;
  is_admin: number;
  created_time: number;
}

export interface TokenRow {
  token_id: string;
  name: string;
  username: string;
  secret_sha256: string;
  created_time: number;
  expiration_time: number | null;
  last_used_time: number | null;
  revoked_time: number | null;
}

export interface SessionRow {
  session_sha256: string;
  username: string;
  created_time: number;
  expiration_time: number;
  idle_expiration_time: number;
}

export const toUser = (row: UserRow): StoredUser => ({
  id: row.user_id,
  username: row.username,
  passwordHash: row.password_hash,
  isAdmin: row.is_admin === 1,
  createdTime: row.created_time,
});

export const toToken = (row: TokenRow): StoredToken => ({
  id: row.token_id,
  name: row.name,
  username: row.username,
  secretSha256: row.secret_sha256,
  createdTime: row.created_time,
  ...(row.expiration_time === null ? {} : { expirationTime: row.expiration_time }),
  ...(row.last_used_time === null ? {} : { lastUsedTime: row.last_used_time }),
  ...(row.revoked_time === null ? {} : { revokedTime: row.revoked_time }),
});

export const toSession = (row: SessionRow): StoredSession => ({
  sessionSha256: row.session_sha256,
  username: row.username,
  createdTime: row.created_time,
  expirationTime: row.expiration_time,
  idleExpirationTime: row.idle_expiration_time,
});

export const TOKEN_COLUMNS = "t.token_id, t.name, t.username, t.secret_sha256, t.created_time, t.expiration_time, t.last_used_time, t.revoked_time";
