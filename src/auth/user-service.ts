import type { WriteContext } from "../core/actor.js";
import type { Clock } from "../core/clock.js";
import { alreadyExists, CairnError, ErrorCode, notFound } from "../core/errors.js";
import type { AuditRecorder } from "../audit/recorder.js";
import type { CredentialCache } from "./credential-cache.js";
import { hashPassword, validatePassword, type ScryptParams } from "./password-hash.js";
import type { Principal } from "./principal.js";
import type { AuthStore, StoredUser } from "./store.js";
import { parseUsername } from "./usernames.js";

/** Audit actions of the auth domain. Passwords and secrets never appear in the snapshots. */
export const AuthAction = {
  USER_CREATE: "auth.user.create",
  USER_PASSWORD: "auth.user.update_password",
  USER_ADMIN: "auth.user.update_admin",
  USER_DELETE: "auth.user.delete",
  TOKEN_CREATE: "auth.token.create",
  TOKEN_REVOKE: "auth.token.revoke",
} as const;

export const permissionDenied = (message = "Permission denied"): CairnError => new CairnError(ErrorCode.PERMISSION_DENIED, message);

/** Admins may do anything; anyone else only what the rule allows. `undefined`: the CLI on the database (trusted). */
const requireAdmin = (principal: Principal | undefined, what: string): void => {
  if (principal !== undefined && !principal.isAdmin) throw permissionDenied(`Permission denied: ${what} needs an admin.`);
};
const requireSelfOrAdmin = (principal: Principal | undefined, username: string, what: string): void => {
  if (principal !== undefined && !principal.isAdmin && principal.username !== username) {
    throw permissionDenied(`Permission denied: ${what} of another user needs an admin.`);
  }
};

const snapshot = (user: StoredUser) => ({ username: user.username, is_admin: user.isAdmin });

export interface UserServiceOptions {
  audit: AuditRecorder;
  /** Verified Basic credentials of this process, forgotten for a user whose password, admin flag or existence changes. */
  cache?: CredentialCache;
  clock?: Clock;
  scrypt?: ScryptParams;
}

/**
 * User management with MLflow's basic-auth rules: admins create, read, change and delete anyone; a user may read
 * themself and change their own password. Cairn adds: the last admin cannot be demoted or deleted (nobody could
 * manage users any more). `principal` undefined means the local CLI working on the database directly.
 */
export class UserService {
  private readonly clock: Clock;

  constructor(
    private readonly store: AuthStore,
    private readonly options: UserServiceOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async create(principal: Principal | undefined, ctx: WriteContext, rawUsername: string, password: string, isAdmin = false): Promise<StoredUser> {
    requireAdmin(principal, "creating a user");
    const username = parseUsername(rawUsername);
    validatePassword(password);
    const created = await this.store.createUser({
      username,
      passwordHash: await hashPassword(password, this.options.scrypt),
      isAdmin,
      createdTime: this.clock(),
    });
    if (created === undefined) throw alreadyExists(`User '${username}' already exists.`);
    await this.options.audit.record(ctx, { action: AuthAction.USER_CREATE, entityType: "user", entityId: username, after: snapshot(created) });
    return created;
  }

  async get(principal: Principal | undefined, rawUsername: string): Promise<StoredUser> {
    const username = parseUsername(rawUsername);
    requireSelfOrAdmin(principal, username, "reading a user");
    const user = await this.store.getUser(username);
    if (user === undefined) throw notFound(`User with username '${username}' not found.`);
    return user;
  }

  /** Users in name order after `after` (a user name), at most `limit`. */
  async list(principal: Principal | undefined, limit = 1000, after?: string): Promise<StoredUser[]> {
    requireAdmin(principal, "listing users");
    return this.store.listUsers({ limit, ...(after !== undefined ? { after } : {}) });
  }

  async updatePassword(principal: Principal | undefined, ctx: WriteContext, rawUsername: string, password: string): Promise<void> {
    const username = parseUsername(rawUsername);
    requireSelfOrAdmin(principal, username, "changing the password");
    validatePassword(password);
    const hash = await hashPassword(password, this.options.scrypt);
    if (!(await this.store.updatePassword(username, hash))) throw notFound(`User with username '${username}' not found.`);
    this.options.cache?.forget(username);
    await this.options.audit.record(ctx, { action: AuthAction.USER_PASSWORD, entityType: "user", entityId: username });
  }

  async updateAdmin(principal: Principal | undefined, ctx: WriteContext, rawUsername: string, isAdmin: boolean): Promise<void> {
    requireAdmin(principal, "changing a user's admin flag");
    const username = parseUsername(rawUsername);
    const user = await this.store.getUser(username);
    if (user === undefined) throw notFound(`User with username '${username}' not found.`);
    if (user.isAdmin && !isAdmin) await this.keepOneAdmin(username);
    await this.store.updateAdmin(username, isAdmin);
    this.options.cache?.forget(username);
    await this.options.audit.record(ctx, {
      action: AuthAction.USER_ADMIN,
      entityType: "user",
      entityId: username,
      before: snapshot(user),
      after: { ...snapshot(user), is_admin: isAdmin },
    });
  }

  async delete(principal: Principal | undefined, ctx: WriteContext, rawUsername: string): Promise<void> {
    requireAdmin(principal, "deleting a user");
    const username = parseUsername(rawUsername);
    const user = await this.store.getUser(username);
    if (user === undefined) throw notFound(`User with username '${username}' not found.`);
    if (user.isAdmin) await this.keepOneAdmin(username);
    await this.store.deleteUser(username);
    this.options.cache?.forget(username);
    await this.options.audit.record(ctx, { action: AuthAction.USER_DELETE, entityType: "user", entityId: username, before: snapshot(user) });
  }

  private async keepOneAdmin(username: string): Promise<void> {
    if ((await this.store.countAdmins()) <= 1) {
      throw new CairnError(ErrorCode.INVALID_STATE, `'${username}' is the last admin: make another user admin first.`);
    }
  }
}
