import type { Migration } from "../migrations.js";

/**
 * Schema version 18 — authentication: users (lower-cased names, scrypt hashes with their parameters), personal access
 * tokens and UI sessions. Tokens and sessions keep only the sha256 of their secret: a copy of the database does not
 * let anyone sign in. A user's tokens and sessions go with the user.
 */
export const AUTH_MIGRATION: Migration = {
  version: 18,
  description: "auth: users, personal access tokens (sha256 of the secret), UI sessions (sha256 of the cookie)",
  sql: `
    -- user_id: the integer id MLflow's basic-auth API reports; AUTOINCREMENT so that a deleted user's id is not reused.
    CREATE TABLE auth_users (
      user_id INTEGER PRIMARY KEY AUTOINCREMENT,
      username TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      is_admin INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
      created_time INTEGER NOT NULL
    );

    CREATE TABLE auth_tokens (
      token_id TEXT NOT NULL PRIMARY KEY,
      name TEXT NOT NULL,
      username TEXT NOT NULL REFERENCES auth_users (username) ON DELETE CASCADE,
      secret_sha256 TEXT NOT NULL UNIQUE,
      created_time INTEGER NOT NULL,
      expiration_time INTEGER,
      last_used_time INTEGER,
      revoked_time INTEGER
    );
    CREATE INDEX auth_tokens_username ON auth_tokens (username, created_time);

    CREATE TABLE auth_sessions (
      session_sha256 TEXT NOT NULL PRIMARY KEY,
      username TEXT NOT NULL REFERENCES auth_users (username) ON DELETE CASCADE,
      created_time INTEGER NOT NULL,
      expiration_time INTEGER NOT NULL,
      idle_expiration_time INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX auth_sessions_username ON auth_sessions (username);
    CREATE INDEX auth_sessions_expiration ON auth_sessions (expiration_time);
  `,
};
