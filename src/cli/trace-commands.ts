/**
 * The parser entries of `cairn traces ...`: MLflow 3 traces with their spans and assessments. Options here must not
 * reuse a name of the program's global options (--tracking-uri, --user, -V/--version): the program would take them
 * first (test: src/cli/logged-models-cli.test.ts).
 */
import type { Command } from "commander";
import { list, str } from "./option-values.js";
import type { DataAction } from "./program.js";

const traces = () => import("./commands/traces.js");

export const registerTraceCommands = (program: Command, dataAction: DataAction): void => {
  const group = program.command("traces").description("MLflow 3 traces: list, and show one with its assessments and span tree");
  group
    .command("list")
    .description("search an experiment's traces (newest first unless --order-by)")
    .requiredOption("--experiment <id-or-name...>", "experiment id or name (repeatable)")
    .option("--filter <filter>", `trace filter, e.g. "trace.status = 'OK' AND tags.topic = 'billing'"`)
    .option("--order-by <clause...>", `order, e.g. "timestamp_ms ASC" (repeatable; default: timestamp_ms DESC)`)
    .option("--max-results <n>", "at most this many traces (default: 100)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o) =>
        (await traces()).listTraces(client, {
          experiment: list(o.experiment),
          filter: str(o.filter),
          orderBy: list(o.orderBy),
          maxResults: str(o.maxResults),
        }),
      ),
    );
  group
    .command("show")
    .description("show a trace: info, tags, metadata, assessments, and its spans as a tree with durations")
    .argument("<trace-id>", "trace id (tr-...)")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _o, traceId: string) => (await traces()).showTrace(client, traceId)));
};
