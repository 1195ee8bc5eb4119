import type { WriteContext } from "../core/actor.js";
import { CairnError, ErrorCode } from "../core/errors.js";
import { verifyPassword } from "./password-hash.js";
import type { AuthStore } from "./store.js";
import type { UserService } from "./user-service.js";
import { parseUsername } from "./usernames.js";

export type BootstrapOutcome = "created" | "promoted" | "admin-exists" | "no-admin";

/**
 * Start-up with `--auth`: CAIRN_ADMIN_USERNAME / CAIRN_ADMIN_PASSWORD create the first admin when no admin exists.
 * An existing user of that name is never given the variable's password silently: it is made admin only when the
 * variable's password is already theirs; otherwise start-up stops and says why. Once an admin exists the variables
 * are ignored (an old password in a deployment file does not keep resetting anything).
 */
export const bootstrapAdmin = async (
  store: AuthStore,
  users: UserService,
  env: { username?: string | undefined; password?: string | undefined },
  ctx: WriteContext,
): Promise<BootstrapOutcome> => {
  if ((await store.countAdmins()) > 0) return "admin-exists";
  if (env.username === undefined || env.username.trim() === "" || env.password === undefined) return "no-admin";
  const username = parseUsername(env.username, "CAIRN_ADMIN_USERNAME");
  const existing = await store.getUser(username);
  if (existing === undefined) {
    await users.create(undefined, ctx, username, env.password, true);
    return "created";
  }
  if (!(await verifyPassword(env.password, existing.passwordHash))) {
    throw new CairnError(
      ErrorCode.INVALID_STATE,
      `CAIRN_ADMIN_USERNAME names the existing user '${username}' but CAIRN_ADMIN_PASSWORD is not their password: ` +
        `Cairn does not overwrite a password silently. Run 'cairn users passwd ${username}' or 'cairn users create <name> --admin'.`,
    );
  }
  await users.updateAdmin(undefined, ctx, username, true);
  return "promoted";
};
