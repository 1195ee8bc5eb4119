/**
 * The parser entries of `cairn models logged ...`: MLflow 3's logged models, under the registry's `models` group.
 * Options here must not reuse a name of the program's global options (--tracking-uri, --user, -V/--version): the
 * program would take them first (test: src/cli/logged-models-cli.test.ts).
 */
import type { Command } from "commander";
import { list, str } from "./option-values.js";
import type { DataAction } from "./program.js";

const loggedModels = () => import("./commands/logged-models.js");

export const registerLoggedModelCommands = (models: Command, dataAction: DataAction): void => {
  const group = models.command("logged").description("MLflow 3 logged models: the models log_model creates, with params, metrics and files");
  group
    .command("list")
    .description("search logged models (every active experiment unless --experiment)")
    .option("--experiment <id-or-name...>", "experiment id or name (repeatable)")
    .option("--filter <filter>", `logged-model filter, e.g. "metrics.accuracy > 0.9 AND status = 'LOGGED_MODEL_READY'"`)
    .option("--order-by <clause...>", `order, e.g. "metrics.accuracy DESC" or "creation_timestamp" (repeatable)`)
    .option("--max-results <n>", "at most this many models (default: 1000)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o) =>
        (await loggedModels()).listLoggedModels(client, {
          experiment: list(o.experiment),
          filter: str(o.filter),
          orderBy: list(o.orderBy),
          maxResults: str(o.maxResults),
        }),
      ),
    );
  group
    .command("show")
    .description("show a logged model: info, params, metrics, tags, registrations, artifacts")
    .argument("<model-id>", "logged model id (m-...)")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _o, modelId: string) => (await loggedModels()).showLoggedModel(client, modelId)));
};
