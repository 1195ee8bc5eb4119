/**
 * `cairn exp ...`: DVC-style experiments on the workspace's pipeline (`cairn experiments` is MLflow's experiments on
 * the server). Wired like the pipeline commands: they work on the workspace found from the current folder and make
 * the tracking client only when they need the server; each action loads its module when it runs.
 */
import type { Command } from "commander";
import type { CairnClient } from "../sdk/client.js";
import type { LocalAction } from "./auth-commands.js";
import { str } from "./option-values.js";

/** Makes the CLI's tracking client from the global options (--tracking-uri, --user). */
export type ExperimentClientFactory = (options: Record<string, unknown>) => Promise<CairnClient>;

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const command = () => import("../pipelines/experiments/exp-command.js");

export const registerExperimentCommands = (program: Command, localAction: LocalAction, makeClient: ExperimentClientFactory): void => {
  const exp = program.command("exp").description("experiments: the pipeline run with params set (-S), queued and run N at a time, tracked as comparable runs");
  exp
    .command("run")
    .description("set params and reproduce the pipeline in the workspace, tracked as an experiment; or queue it (--queue); or run the queue (--run-all)")
    .option("-S, --set-param <file:key=value>", "set a param, e.g. train.lr=0.01 or other.yaml:seed=7 (value read as YAML; repeatable; the key must exist)", collect)
    .option("-n, --name <name>", "experiment name (default: exp- and 6 random hex digits)")
    .option("--queue", "queue the experiment instead of running it (.cairn/tmp/exp-queue/)")
    .option("--run-all", "run every queued experiment, each in its own copy of the workspace (the workspace is not touched)")
    .option("-j, --jobs <n>", "with --run-all: experiments run at the same time; else: stages run at the same time (default: 1)")
    .option("--json", "print JSON")
    .action(
      localAction(async (o) =>
        (await command()).expRun({
          setParam: (o.setParam as string[] | undefined) ?? [],
          name: str(o.name),
          queue: o.queue === true,
          runAll: o.runAll === true,
          jobs: str(o.jobs),
          makeClient: () => makeClient(o),
        }),
      ),
    );
  exp
    .command("show")
    .description("the experiments of this workspace: params set and the metrics of their stage runs (from the tracking server), and the queue")
    .option("--json", "print JSON")
    .action(localAction(async (o) => (await command()).expShow(() => makeClient(o))));
  exp
    .command("remove")
    .description("remove a queued experiment, or mark an experiment's runs deleted on the tracking server; --queue empties the queue")
    .argument("[name]", "experiment name")
    .option("--queue", "remove every queued experiment")
    .option("--json", "print JSON")
    .action(localAction(async (o, name: string | undefined) => (await command()).expRemove(name, { queue: o.queue === true, makeClient: () => makeClient(o) })));
};
