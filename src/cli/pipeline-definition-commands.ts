/**
 * The parser entries of the pipeline views: `cairn dag`, `cairn params diff`, `cairn metrics show|diff`. Workspace
 * commands: no server, and each action loads its module only when it runs (keeps `cairn status` fast).
 */
import type { Command } from "commander";
import type { LocalAction } from "./auth-commands.js";

const commands = () => import("./commands/pipeline-definition.js");

export const registerPipelineDefinitionCommands = (program: Command, localAction: LocalAction): void => {
  program
    .command("dag")
    .description("print the pipeline's stage graph: each stage in run order with arrows to the stages reading its outputs")
    .argument("[targets...]", "stages (or foreach/matrix groups) to show with everything they depend on (default: all)")
    .option("--downstream", "show the targets with everything that depends on them instead")
    .option("--dot", "print Graphviz dot")
    .option("--mermaid", "print a Mermaid flowchart")
    .option("--json", "print JSON: {stages, edges}")
    .action(
      localAction(async (o, targets: string[]) =>
        (await commands()).dag(targets, { dot: o.dot === true, mermaid: o.mermaid === true, json: o.json === true, downstream: o.downstream === true }),
      ),
    );

  program
    .command("params")
    .description("the params the pipeline's stages use")
    .command("diff")
    .description("params that differ between two git revisions, or a revision and the workspace (default: HEAD and the workspace)")
    .argument("[a_rev]", "old side (default: HEAD)")
    .argument("[b_rev]", "new side (default: the workspace)")
    .option("--all", "also list unchanged params and every key of the params files")
    .option("--json", "print JSON: {file: {key: {old, new, diff}}}")
    .action(localAction(async (o, a: string | undefined, b: string | undefined) => (await commands()).paramsDiff([a, b].filter((rev) => rev !== undefined) as string[], { all: o.all === true })));

  const metrics = program.command("metrics").description("the stages' metrics files (JSON or YAML)");
  metrics
    .command("show")
    .description("the workspace's metrics, nested keys joined with '.'")
    .option("--json", "print JSON: {file: {metric: value}}")
    .action(localAction(async () => (await commands()).metricsShow({})));
  metrics
    .command("diff")
    .description("metrics that differ between two git revisions, or a revision and the workspace (default: HEAD and the workspace)")
    .argument("[a_rev]", "old side (default: HEAD)")
    .argument("[b_rev]", "new side (default: the workspace)")
    .option("--all", "also list unchanged metrics")
    .option("--json", "print JSON: {file: {metric: {old, new, diff}}}")
    .action(localAction(async (o, a: string | undefined, b: string | undefined) => (await commands()).metricsDiff([a, b].filter((rev) => rev !== undefined) as string[], { all: o.all === true })));
};
