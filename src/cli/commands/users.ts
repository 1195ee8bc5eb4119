import { composeAuth } from "../../auth/compose-auth.js";
import type { StoredUser } from "../../auth/store.js";
import { AuditService } from "../../audit/service.js";
import type { WriteContext } from "../../core/actor.js";
import { defaultServerConfig } from "../../core/config.js";
import { currentUser } from "../../sdk/run-context.js";
import { openMetadataStores } from "../../stores/registry.js";
import { formatTime, type CommandResult } from "../output.js";
import { readNewPassword } from "./password-input.js";

/**
 * `cairn users ...`: user management on the database itself (the same --backend-store-uri as `cairn server`), so
 * that the first admin can exist before any server runs and a lost admin password can be reset by whoever holds the
 * database. Writes are audited; the actor is the OS user, marked unverified (Cairn cannot vouch for it).
 */
export interface UsersOptions {
  backendStoreUri?: string;
  admin?: boolean;
  passwordStdin?: boolean;
}

const withUsers = async <T>(options: UsersOptions, work: (users: ReturnType<typeof composeAuth>["users"], ctx: WriteContext) => Promise<T>): Promise<T> => {
  const stores = await openMetadataStores(options.backendStoreUri ?? defaultServerConfig().backendStoreUri);
  try {
    const { users } = composeAuth(stores.auth, new AuditService(stores.audit), { enabled: false });
    return await work(users, { actor: { name: `local:${currentUser() ?? "unknown"}`, verified: false }, requestId: "cli" });
  } finally {
    await stores.close();
  }
};

const userData = (user: StoredUser) => ({ id: user.id, username: user.username, is_admin: user.isAdmin, created_time: user.createdTime });

export const createUser = async (username: string, options: UsersOptions): Promise<CommandResult> => {
  const password = await readNewPassword(options.passwordStdin === true);
  const user = await withUsers(options, (users, ctx) => users.create(undefined, ctx, username, password, options.admin === true));
  return { data: { user: userData(user) }, human: { kind: "message", text: `Created ${user.isAdmin ? "admin" : "user"} '${user.username}'.` } };
};

export const listUsers = async (options: UsersOptions): Promise<CommandResult> => {
  const list = await withUsers(options, (users) => users.list(undefined));
  return {
    data: { users: list.map(userData) },
    human: {
      kind: "table",
      columns: ["USERNAME", "ADMIN", "CREATED (UTC)"],
      rows: list.map((user) => [user.username, user.isAdmin ? "yes" : "no", formatTime(user.createdTime)]),
      empty: "No users. Create the first admin with: cairn users create <name> --admin",
    },
  };
};

export const deleteUser = async (username: string, options: UsersOptions): Promise<CommandResult> => {
  await withUsers(options, (users, ctx) => users.delete(undefined, ctx, username));
  return { data: {}, human: { kind: "message", text: `Deleted user '${username.trim().toLowerCase()}' with their tokens and sessions.` } };
};

export const changePassword = async (username: string, options: UsersOptions): Promise<CommandResult> => {
  const password = await readNewPassword(options.passwordStdin === true);
  await withUsers(options, (users, ctx) => users.updatePassword(undefined, ctx, username, password));
  return {
    data: {},
    human: { kind: "message", text: `Changed the password of '${username.trim().toLowerCase()}' (their UI sessions ended; a running server accepts the old password for at most 30 s more).` },
  };
};
