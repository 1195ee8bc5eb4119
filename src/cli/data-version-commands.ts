/**
 * The parser entries of data versioning: `cairn init`, `add`, `checkout`, `status`, `unprotect`, `remove`. They work
 * on the workspace around the current folder and never load the server's or the SDK's modules: each action imports
 * its command module only when it runs, so `cairn status` starts fast.
 */
import type { Command } from "commander";
import type { LocalAction } from "./auth-commands.js";
import { str } from "./option-values.js";

const paths = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

export const registerDataVersionCommands = (program: Command, localAction: LocalAction): void => {
  program
    .command("init")
    .description("make the current folder a Cairn workspace (.cairn/ with config.yaml and .gitignore); works in a git repository or outside one")
    .option("--force", "initialize even inside an existing workspace (nested), or rewrite this one's config (cache kept)")
    .action(localAction(async (o) => (await import("./commands/data-version/init.js")).initCommand(process.cwd(), { force: o.force === true })));

  program
    .command("add")
    .description("track files or folders: save them to the cache, link them back, write PATH.cairn for git and add PATH to the .gitignore beside it")
    .argument("<paths...>", "files or folders inside the workspace")
    .option("--json", "print JSON")
    .action(localAction(async (_o, targets: unknown) => (await import("./commands/data-version/add.js")).addCommand(process.cwd(), paths(targets))));

  program
    .command("checkout")
    .description("restore tracked paths from the cache as their pointer files record them (all when none is named)")
    .argument("[targets...]", "pointer files or the paths they track")
    .option("--link-type <types>", "link types to try in order instead of the config's cache.type, e.g. hardlink,copy")
    .option("--force", "overwrite changes that are not in the cache")
    .option("--json", "print JSON")
    .action(
      localAction(async (o, targets: unknown) =>
        (await import("./commands/data-version/checkout.js")).checkoutCommand(process.cwd(), paths(targets), { linkType: str(o.linkType), force: o.force === true }),
      ),
    );

  program
    .command("status")
    .description("each tracked path against its pointer file (unchanged, modified: which files, not in cache, missing), then each pipeline stage against the lock file (up to date, or changed with the reasons)")
    .option("--json", "print JSON: {outs: [{pointer, path, hash, state, in_cache, current?, changes?}], pipeline?: {file, stages: [{stage, state, reasons}]}}")
    .action(localAction(async () => (await import("./commands/data-version/status.js")).statusCommand(process.cwd())));

  program
    .command("unprotect")
    .description("replace hardlinked or symlinked (read-only) tracked files by writable copies, to edit them safely")
    .argument("<paths...>", "files or folders")
    .option("--json", "print JSON")
    .action(localAction(async (_o, targets: unknown) => (await import("./commands/data-version/unprotect.js")).unprotectCommand(process.cwd(), paths(targets))));

  program
    .command("remove")
    .description("stop tracking: delete PATH.cairn and its .gitignore line; the data stays as plain files")
    .argument("<pointers...>", "pointer files (PATH.cairn)")
    .option("--json", "print JSON")
    .action(localAction(async (_o, targets: unknown) => (await import("./commands/data-version/remove.js")).removeCommand(process.cwd(), paths(targets))));
};
