import type { WriteContext } from "../core/actor.js";
import type { Clock } from "../core/clock.js";
import { CairnError, ErrorCode, invalidParameter, notFound } from "../core/errors.js";
import { newRunId } from "../core/ids.js";
import type { AuditRecorder } from "../audit/recorder.js";
import type { Principal } from "./principal.js";
import { newTokenSecret, sha256Hex } from "./secrets.js";
import type { AuthStore, StoredToken } from "./store.js";
import { AuthAction, permissionDenied } from "./user-service.js";
import { parseUsername } from "./usernames.js";

export const MAX_TOKEN_NAME_LENGTH = 100;
export const MAX_TOKEN_DAYS = 3650;
/** Live (not revoked, not expired) tokens one user may hold. */
export const MAX_ACTIVE_TOKENS = 100;
/** Most tokens one list returns. */
export const MAX_LISTED_TOKENS = 1000;

const DAY_MS = 86_400_000;

/**
 * Personal access tokens (Bearer; MLflow clients send MLFLOW_TRACKING_TOKEN). Each user manages their own; an admin
 * lists and revokes anyone's. The secret is returned once at creation; the store keeps its sha256 only.
 */
export class TokenService {
  private readonly clock: Clock;

  constructor(
    private readonly store: AuthStore,
    private readonly options: { audit: AuditRecorder; clock?: Clock },
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async create(principal: Principal, ctx: WriteContext, name: string, expiresInDays?: number): Promise<{ secret: string; token: StoredToken }> {
    const trimmed = name.trim();
    if (trimmed === "" || trimmed.length > MAX_TOKEN_NAME_LENGTH) {
      throw invalidParameter(`'name' must be 1 to ${MAX_TOKEN_NAME_LENGTH} characters long.`);
    }
    if (expiresInDays !== undefined && (!Number.isSafeInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_TOKEN_DAYS)) {
      throw invalidParameter(`'expires_in_days' must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}, got ${expiresInDays}.`);
    }
    const now = this.clock();
    if ((await this.store.countActiveTokens(principal.username, now)) >= MAX_ACTIVE_TOKENS) {
      throw new CairnError(ErrorCode.INVALID_STATE, `'${principal.username}' already holds ${MAX_ACTIVE_TOKENS} live tokens: revoke one first.`);
    }
    const secret = newTokenSecret();
    const token: StoredToken = {
      id: newRunId(),
      name: trimmed,
      username: principal.username,
      secretSha256: sha256Hex(secret),
      createdTime: now,
      ...(expiresInDays === undefined ? {} : { expirationTime: now + expiresInDays * DAY_MS }),
    };
    await this.store.createToken(token);
    await this.options.audit.record(ctx, {
      action: AuthAction.TOKEN_CREATE,
      entityType: "token",
      entityId: token.id,
      after: { name: token.name, username: token.username, expiration_time: token.expirationTime ?? null },
    });
    return { secret, token };
  }

  /** The principal's own tokens, or (admins, or the user themself) those of `username`. */
  async list(principal: Principal, username?: string): Promise<StoredToken[]> {
    const owner = username === undefined ? principal.username : parseUsername(username);
    if (owner !== principal.username && !principal.isAdmin) throw permissionDenied("Permission denied: listing another user's tokens needs an admin.");
    return this.store.listTokens(owner, MAX_LISTED_TOKENS);
  }

  async revoke(principal: Principal, ctx: WriteContext, id: string): Promise<void> {
    if (!/^[0-9a-f]{32}$/.test(id)) throw invalidParameter(`Invalid value for parameter 'id': expected a token id (32 hex characters).`);
    const token = await this.store.getToken(id);
    // Another user's token is "not found" for a non-admin: ids are not confirmed to those who cannot see them.
    if (token === undefined || (token.username !== principal.username && !principal.isAdmin)) throw notFound(`Token '${id}' not found.`);
    if (!(await this.store.revokeToken(id, this.clock()))) return;
    await this.options.audit.record(ctx, { action: AuthAction.TOKEN_REVOKE, entityType: "token", entityId: id, before: { name: token.name, username: token.username } });
  }
}
