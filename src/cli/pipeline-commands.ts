/**
 * The parser entries of pipeline commands (`cairn repro`). They work on the workspace found from the current folder
 * and need no server, so they are wired like `localAction` commands; the tracking client is made only when a stage
 * runs (nothing changed: no client module loaded, no connection). Each action loads its command module when it runs.
 */
import type { Command } from "commander";
import type { CairnClient } from "../sdk/client.js";
import type { LocalAction } from "./auth-commands.js";
import { str } from "./option-values.js";

/** Makes the CLI's tracking client from the global options (--tracking-uri, --user). */
export type ClientFactory = (options: Record<string, unknown>) => Promise<CairnClient>;

export const registerPipelineCommands = (program: Command, localAction: LocalAction, makeClient: ClientFactory): void => {
  program
    .command("repro")
    .description("run the pipeline's stages whose command, dependencies, params or outputs changed (restored from the run cache when this exact run happened before), each tracked as a run")
    .argument("[stages...]", "stages to bring up to date, with everything upstream of them (default: every stage)")
    .option("-f, --force", "run every selected stage even if nothing changed (frozen ones excepted; the run cache is not consulted)")
    .option("-j, --jobs <n>", "run up to n independent stages at the same time (default: 1)")
    .option("--dry", "print what would run; change nothing")
    .option("--no-run-cache", "run changed stages even when the run cache holds this exact run")
    .option("--no-track", "do not record runs on the tracking server")
    .option("--experiment <name>", "tracking experiment (default: $MLFLOW_EXPERIMENT_NAME, else the workspace folder's name)")
    .option("--json", "print JSON (each stage's state and reasons); the commands' output goes to stderr")
    .action(
      localAction(async (o, stages: string[]) =>
        (await import("./commands/repro.js")).repro(stages, {
          force: o.force === true,
          jobs: str(o.jobs),
          dry: o.dry === true,
          runCache: o.runCache !== false,
          track: o.track !== false,
          experiment: str(o.experiment),
          json: o.json === true,
          makeClient: () => makeClient(o),
        }),
      ),
    );
};
