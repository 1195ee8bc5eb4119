import { createHash, randomBytes } from "node:crypto";

/** sha256 hex of a token or session secret: what the store keeps (the secret itself is shown once, never stored). */
export const sha256Hex = (secret: string): string => createHash("sha256").update(secret).digest("hex");

/** Personal access tokens: a recognizable prefix (secret scanners, logs) and 256 random bits. */
export const TOKEN_PREFIX = "cairn_pat_";
export const newTokenSecret = (): string => `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;

/** UI session cookie values: 256 random bits. */
export const newSessionSecret = (): string => randomBytes(32).toString("base64url");

/** Shape checks before any lookup: a 1 MB Bearer value never reaches the database. */
export const looksLikeTokenSecret = (value: string): boolean => /^cairn_pat_[A-Za-z0-9_-]{43}$/.test(value);
export const looksLikeSessionSecret = (value: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(value);
