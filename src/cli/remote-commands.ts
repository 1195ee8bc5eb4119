import type { Command } from "commander";
import type { LocalAction } from "./auth-commands.js";

/**
 * `cairn push|pull|fetch` and `cairn remote add|list|remove|default` (issue 13): workspace commands, so nothing of the
 * server is loaded; each action imports its module when it runs.
 */
const commands = () => import("../pipelines/remote/commands.js");
const gc = () => import("../pipelines/gc/gc-command.js");

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

const transferFlags = async (options: Record<string, unknown>) => {
  const [{ resolveTrackingUri }, { currentUser }, { UsageError }, { DEFAULT_JOBS, MAX_JOBS }] = await Promise.all([
    import("./tracking-uri.js"),
    import("../sdk/run-context.js"),
    import("./errors.js"),
    commands(),
  ]);
  const jobsText = str(options.jobs);
  const jobs = jobsText === undefined ? DEFAULT_JOBS : Number(jobsText);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) throw new UsageError(`--jobs must be an integer from 1 to ${MAX_JOBS}, got '${jobsText ?? ""}'`);
  const user = [str(options.user), process.env.CAIRN_USER, currentUser()].find((name) => name !== undefined && name.trim() !== "");
  const remote = str(options.remote);
  return {
    cwd: process.cwd(),
    jobs,
    trackingUri: resolveTrackingUri(str(options.trackingUri), process.env),
    ...(remote !== undefined ? { remote } : {}),
    ...(user !== undefined ? { user } : {}),
  };
};

export const registerRemoteCommands = (program: Command, localAction: LocalAction): void => {
  const transfer = (name: "push" | "pull" | "fetch", description: string): void => {
    program
      .command(`${name} [targets...]`)
      .description(description)
      .option("-r, --remote <name>", "remote to use (else default_remote, else the Cairn tracking server)")
      .option("-j, --jobs <n>", "parallel transfers (default: 4 per CPU, 4 to 32)")
      .option("--json", "print JSON")
      .action(
        localAction(async (options, targets: string[] | undefined) => {
          const module = await commands();
          const flags = await transferFlags(options);
          const run = name === "push" ? module.pushCommand : name === "pull" ? module.pullCommand : module.fetchCommand;
          return run(flags, targets ?? []);
        }),
      );
  };
  transfer("push", "send the cache objects of pointer files and cairn.lock outputs (all, or TARGETS) that the remote lacks");
  transfer("fetch", "get the cache objects of pointer files and cairn.lock outputs (all, or TARGETS) into the cache");
  transfer("pull", "fetch, then check out the data into the workspace");

  const remote = program.command("remote").description("the workspace's data remotes (.cairn/config.yaml)");
  remote
    .command("add <name> <url>")
    .description("add a remote: a folder path or file:// URL, an http(s) URL of a Cairn server, or 'cairn' (the tracking server)")
    .option("-d, --default", "make it the default remote")
    .option("-f, --force", "replace a remote of that name")
    .option("--json", "print JSON")
    .action(
      localAction(async (options, name: string, url: string) =>
        (await commands()).remoteAdd(process.cwd(), name, url, { force: options.force === true, makeDefault: options.default === true }),
      ),
    );
  remote.command("list").description("list the remotes").option("--json", "print JSON").action(localAction(async () => (await commands()).remoteList(process.cwd())));
  remote.command("remove <name>").description("remove a remote").option("--json", "print JSON").action(localAction(async (_options, name: string) => (await commands()).remoteRemove(process.cwd(), name)));
  remote
    .command("default [name]")
    .description("show or set the default remote")
    .option("--unset", "use the Cairn tracking server again")
    .option("--json", "print JSON")
    .action(localAction(async (options, name: string | undefined) => (await commands()).remoteDefault(process.cwd(), name, options.unset === true)));

  // Issue 14: `cairn gc` is MLflow's (deleted runs and experiments); the data cache's gc of issue 13 lives here.
  program
    .command("cache")
    .description("the workspace's local data cache")
    .command("gc")
    .description("remove cache objects that no workspace file, git branch or tag, run or registered model version references")
    .option("--dry-run", "only list what would be removed")
    .option("--no-all-branches", "do not keep what other git branches reference (only the workspace and HEAD)")
    .option("--no-all-tags", "do not keep what git tags reference")
    .option("-r, --remote <name>", "the Cairn server whose runs and models' references are kept (else default_remote if a server, else the tracking server)")
    .option("--no-server", "do not ask a server for references (runs' and models' data may be removed)")
    .option("--json", "print JSON")
    .action(
      localAction(async (options) => {
        const flags = await transferFlags(options);
        return (await gc()).gcCommand({
          cwd: flags.cwd,
          trackingUri: flags.trackingUri,
          ...(flags.remote !== undefined ? { remote: flags.remote } : {}),
          ...(flags.user !== undefined ? { user: flags.user } : {}),
          dryRun: options.dryRun === true,
          allBranches: options.allBranches !== false,
          allTags: options.allTags !== false,
          server: options.server !== false,
        });
      }),
    );
};
