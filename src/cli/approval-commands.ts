/**
 * The parser entries of `cairn models approvals ...`: listing a model's approvals and revoking one's own. Options
 * here must not reuse a name of the program's global options (--tracking-uri, --user, -V): the program would take
 * them first; --version after the subcommand is the subcommand's (see program.ts).
 */
import type { Command } from "commander";
import { str } from "./option-values.js";
import type { DataAction } from "./program.js";

const approvals = () => import("./commands/approvals.js");

export const registerApprovalCommands = (models: Command, dataAction: DataAction): void => {
  const group = models.command("approvals").description("a model's approvals: who approved which version for what, and revoking your own");
  group
    .command("list")
    .description("approvals of a model across versions, newest first (standing ones; --include-revoked adds revoked ones)")
    .argument("<name>", "registered model name")
    .option("--version <v>", "only this version")
    .option("--target <target>", "only this target, e.g. alias:champion or stage:Production")
    .option("--include-revoked", "show revoked approvals too, with who revoked them and when")
    .option("--max-results <n>", "at most this many approvals (default: 100)")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string) =>
        (await approvals()).listApprovals(client, name, {
          version: str(o.version),
          target: str(o.target),
          includeRevoked: o.includeRevoked === true,
          maxResults: str(o.maxResults),
        }),
      ),
    );
  group
    .command("revoke")
    .description("revoke your own approval of a version for a target (the actor is --user / $CAIRN_USER / the OS user); it stays listed")
    .argument("<name>", "registered model name")
    .argument("<version>", "version number")
    .requiredOption("--target <target>", "alias:<alias> or stage:<Stage>, e.g. alias:champion")
    .option("--json", "print JSON")
    .action(
      dataAction(async (client, o, name: string, version: string) =>
        (await approvals()).revokeApproval(client, name, version, { target: str(o.target) }),
      ),
    );
};
