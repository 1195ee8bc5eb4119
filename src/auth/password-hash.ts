import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { invalidParameter } from "../core/errors.js";

/**
 * Password hashes: scrypt (memory-hard; node's async crypto.scrypt runs on libuv's pool, not the event loop), a
 * per-user 16-byte salt, and the parameters stored with the hash (`scrypt$N$r$p$<salt>$<hash>`, base64) so that they
 * can be raised later without invalidating stored hashes: verification reads them from the hash itself.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt floor (N=2^17, r=8, p=1) costs ~128 MiB per hash; 2^15 keeps 32 MiB and ~50-100 ms here. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const KEY_LENGTH = 32;
const SALT_BYTES = 16;

/** MLflow's basic-auth app refuses passwords shorter than 12 characters (mlflow.utils.validation._validate_password). */
export const MIN_PASSWORD_LENGTH = 12;
/** Bounded: scrypt's input is hashed once, but a 1 MB password is an attack, not a password. */
export const MAX_PASSWORD_LENGTH = 1024;

export const validatePassword = (password: string, field = "password"): void => {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalidParameter(`'${field}' must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw invalidParameter(`'${field}' must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
  }
};

const derive = (password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
    scrypt(password.normalize("NFC"), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });

export const hashPassword = async (password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> => {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
};

const parseHash = (stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined => {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  // Bounds: a tampered row must not make verification allocate gigabytes.
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  return { params: { N, r, p }, salt: Buffer.from(parts[4] ?? "", "base64"), key: Buffer.from(parts[5] ?? "", "base64") };
};

/** Whether `password` matches `stored`; a malformed stored hash never matches. Constant-time comparison. */
export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const parsed = parseHash(stored);
  if (parsed === undefined || parsed.key.length !== KEY_LENGTH) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
};

/**
 * A hash of a random password, computed once: verifying against it for an unknown user costs the same scrypt work as
 * for a real one, so the answer's timing does not tell whether a user exists.
 */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = (): Promise<string> => (dummyHash ??= hashPassword(randomBytes(24).toString("base64")));
