import type { Command } from "commander";
import type { CommandResult } from "./output.js";
import type { DataAction } from "./program.js";

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const users = () => import("./commands/users.js");
const tokens = () => import("./commands/tokens.js");

/** A command that works without a server (on the database): options and arguments in, a result out. */
export type LocalAction = <A extends unknown[]>(
  run: (options: Record<string, unknown>, ...args: A) => Promise<CommandResult>,
) => (...received: unknown[]) => Promise<void>;

const usersOptions = (o: Record<string, unknown>) => ({
  ...(str(o.backendStoreUri) !== undefined ? { backendStoreUri: str(o.backendStoreUri) as string } : {}),
  admin: o.admin === true,
  passwordStdin: o.passwordStdin === true,
});

/** `cairn users ...` (on the database, like `cairn server`) and `cairn tokens ...` (through the API). */
export const registerAuthCommands = (program: Command, dataAction: DataAction, localAction: LocalAction): void => {
  const group = program.command("users").description("users of a server with --auth, managed on its database (run where the database is)");
  const store = "--backend-store-uri <uri>";
  const storeHelp = "the server's metadata store (default: sqlite:///cairn-data/cairn.db)";
  group
    .command("create <username>")
    .description("create a user; the password is asked on the terminal, or read from stdin with --password-stdin")
    .option("--admin", "make the user an admin (manages users, permissions, webhooks, audit)")
    .option("--password-stdin", "read the password from stdin (never give it as an argument)")
    .option(store, storeHelp)
    .option("--json", "print JSON")
    .action(localAction(async (o, username: string) => (await users()).createUser(username, usersOptions(o))));
  group
    .command("list")
    .description("list users")
    .option(store, storeHelp)
    .option("--json", "print JSON")
    .action(localAction(async (o) => (await users()).listUsers(usersOptions(o))));
  group
    .command("delete <username>")
    .description("delete a user with their tokens and sessions (never the last admin)")
    .option(store, storeHelp)
    .option("--json", "print JSON")
    .action(localAction(async (o, username: string) => (await users()).deleteUser(username, usersOptions(o))));
  group
    .command("passwd <username>")
    .description("set a user's password (ends their UI sessions)")
    .option("--password-stdin", "read the password from stdin")
    .option(store, storeHelp)
    .option("--json", "print JSON")
    .action(localAction(async (o, username: string) => (await users()).changePassword(username, usersOptions(o))));

  const tokenGroup = program
    .command("tokens")
    .description("your personal access tokens (Bearer; MLFLOW_TRACKING_TOKEN), through the server with your credentials");
  tokenGroup
    .command("create <name>")
    .description("create a token and print its secret (shown once)")
    .option("--expires-in-days <days>", "the token stops working after this many days (default: never)")
    .option("--json", "print JSON: {token, token_info}")
    .action(dataAction(async (client, o, name: string) => (await tokens()).createToken(client, name, { ...(str(o.expiresInDays) !== undefined ? { expiresInDays: str(o.expiresInDays) as string } : {}) })));
  tokenGroup
    .command("list")
    .description("list your tokens (admins: --username for another user's)")
    .option("--username <name>", "another user's tokens (admins)")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o) => (await tokens()).listTokens(client, { ...(str(o.username) !== undefined ? { username: str(o.username) as string } : {}) })));
  tokenGroup
    .command("revoke <id>")
    .description("revoke a token: it stops working at once")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _o, id: string) => (await tokens()).revokeToken(client, id)));
};
