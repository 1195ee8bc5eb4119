/**
 * The parser entries of `cairn models ...` and `cairn audit ...`. Like the rest of the program, each action loads
 * its command module only when it runs.
 */
import type { Command } from "commander";
import { registerApprovalCommands } from "./approval-commands.js";
import { registerLoggedModelCommands } from "./logged-model-commands.js";
import { list, str } from "./option-values.js";
import type { DataAction } from "./program.js";

const models = () => import("./commands/models.js");
const audit = () => import("./commands/audit.js");

export const registerModelCommands = (program: Command, dataAction: DataAction): void => {
  const group = program.command("models").description("the model registry: versions, aliases, promotion rules, approvals, lineage, cards");
  group
    .command("list")
    .description("list registered models (by name)")
    .option("--filter <filter>", `registry search filter, e.g. "name LIKE 'churn%'" or "tags.team = 'risk'"`)
    .option("--max-results <n>", "at most this many models (default: 1000)")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o) => (await models()).listModels(client, { filter: str(o.filter), maxResults: str(o.maxResults) })));
  group
    .command("show")
    .description("show a model (aliases, tags, versions) or, with --version, one version")
    .argument("<name>", "registered model name")
    .option("--version <v>", "version number")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o, name: string) => (await models()).showModel(client, name, { version: str(o.version) })));
  group
    .command("register")
    .description("register a new version of a model (creating the model if needed) from runs:/<run_id>/<path>, mlflow-artifacts:/..., models:/<name>/<version> or a logged model's models:/<model_id>")
    .argument("<name>", "registered model name")
    .argument("<source-uri>", "where the model's files are, inside the artifact store")
    .option("--run-id <id>", "the run that produced it (default: the run of a runs:/ URI)")
    .option("--description <text>", "version description")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string, source: string) =>
        (await models()).registerModel(client, name, source, { runId: str(o.runId), description: str(o.description) }),
      ),
    );
  group
    .command("alias")
    .description("point an alias (e.g. champion) at a version; refused while a promotion rule is unmet")
    .argument("<name>", "registered model name")
    .argument("<alias>", "alias name")
    .argument("<version>", "version number")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _o, name: string, alias: string, version: string) => (await models()).setAlias(client, name, alias, version)));
  group
    .command("unalias")
    .description("remove an alias")
    .argument("<name>", "registered model name")
    .argument("<alias>", "alias name")
    .option("--json", "print JSON")
    .action(dataAction(async (client, _o, name: string, alias: string) => (await models()).removeAlias(client, name, alias)));
  group
    .command("history")
    .description("alias history: who moved which alias from which version to which, and when")
    .argument("<name>", "registered model name")
    .option("--alias <alias>", "only this alias")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o, name: string) => (await models()).aliasHistory(client, name, { alias: str(o.alias) })));
  group
    .command("approve")
    .description("approve a version for a target (one approval per person; the actor is --user / $CAIRN_USER / the OS user)")
    .argument("<name>", "registered model name")
    .argument("<version>", "version number")
    .requiredOption("--target <target>", "alias:<alias>, stage:<Stage> or deployment:<name>, e.g. alias:champion")
    .option("--comment <text>", "why (kept with the approval)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string, version: string) =>
        (await models()).approveVersion(client, name, version, { target: str(o.target), comment: str(o.comment) }),
      ),
    );
  group
    .command("rules")
    .description("list a model's promotion rules; --set TARGET replaces one, --delete TARGET removes one")
    .argument("<name>", "registered model name")
    .option("--set <target>", "alias:<alias>, stage:<Stage> or deployment:<name> whose rule to create or replace")
    .option("--require-tag <key=value...>", "a version tag the version must carry (repeatable)")
    .option("--metric <threshold...>", `a threshold on the source run's metric, e.g. "accuracy>=0.9" (repeatable)`)
    .option("--approvals <n>", "approvals needed from distinct people")
    .option("--forbid-self-approval", "with --set: the version's creator and its run's user cannot approve it (refused, never counted)")
    .option("--delete <target>", "remove the rule of this target")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string) =>
        (await models()).modelRules(client, name, {
          set: str(o.set),
          delete: str(o.delete),
          requireTag: list(o.requireTag),
          metric: list(o.metric),
          approvals: str(o.approvals),
          forbidSelfApproval: o.forbidSelfApproval === true,
        }),
      ),
    );
  group
    .command("lineage")
    .description("where a version comes from (run, datasets, code, experiment) and where it is deployed, as a tree")
    .argument("<name>", "registered model name")
    .argument("<version>", "version number")
    .option("--json", "print the nodes and edges as JSON")
    .action(dataAction(async (client, _o, name: string, version: string) => (await models()).modelLineage(client, name, version)));
  group
    .command("card")
    .description("print a version's model card; --set-file writes its fields first")
    .argument("<name>", "registered model name")
    .argument("<version>", "version number")
    .option("--format <format>", "markdown, html or json", "markdown")
    .option("--set-file <card.json>", "JSON object with description, intended_use, training_data, limitations, ethical_considerations, owners")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string, version: string) =>
        (await models()).modelCard(client, name, version, { format: str(o.format), setFile: str(o.setFile) }),
      ),
    );
  group
    .command("delete")
    .description("delete a model with all its versions, or one version")
    .argument("<name>", "registered model name")
    .option("--version <v>", "only this version")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o, name: string) => (await models()).deleteModel(client, name, { version: str(o.version) })));
  registerApprovalCommands(group, dataAction);
  registerLoggedModelCommands(group, dataAction);
};

export const registerAuditCommands = (program: Command, dataAction: DataAction): void => {
  const group = program.command("audit").description("the audit trail: list events, verify that no one rewrote history");
  group
    .command("list")
    .description("list audit events, newest first; says when more exist and gives the --page-token that continues")
    .option("--entity-type <type>", "e.g. registered_model, model_version, run, experiment")
    .option("--entity-id <id>", "e.g. a model name, churn/3, a run id")
    .option("--actor <name>", "who made the change")
    .option("--action <action>", "exact action, or a prefix ending in * (e.g. 'registry.*')")
    .option("--since <time>", "from this time: ISO date/time (UTC unless it says) or ms since the epoch")
    .option("--until <time>", "up to this time (inclusive)")
    .option("--max-results <n>", "at most this many events (default: 100, at most 100000)")
    .option("--page-token <token>", "continue a listing where the previous one stopped (the token it printed)")
    .option("--oldest-first", "oldest events first instead of newest first (a token continues its own order only)")
    .option("--json", "print JSON: {events, next_page_token?}")
    .action(
      dataAction(async (client, o) =>
        (await audit()).listAuditEvents(client, {
          pageToken: str(o.pageToken),
          oldestFirst: o.oldestFirst === true,
          entityType: str(o.entityType),
          entityId: str(o.entityId),
          actor: str(o.actor),
          action: str(o.action),
          since: str(o.since),
          until: str(o.until),
          maxResults: str(o.maxResults),
        }),
      ),
    );
  group
    .command("verify")
    .description("check the hash chain of the audit log; exit code 1 and one line per problem when it was tampered with")
    .option("--full", "re-check from the first event, not from the last verified checkpoint")
    .option("--json", "print JSON")
    .action(dataAction(async (client, o) => (await audit()).verifyAudit(client, o.full === true ? { full: true } : {})));
};
