import type { CairnClient } from "../../sdk/client.js";
import type { ApprovalWire } from "../../sdk/governance-api.js";
import { collect } from "../../sdk/paging.js";
import { formatTime, type CommandResult } from "../output.js";
import { parseTarget, parseVersion } from "./model-args.js";
import { parsePositiveInt } from "./view.js";

/** The server's largest page of governance/approvals. */
const PAGE_MAX = 1000;

const actorText = (actor: { name: string; verified: boolean }): string => (actor.verified ? actor.name : `${actor.name} (unverified)`);

export interface ListApprovalsOptions {
  version?: string;
  target?: string;
  includeRevoked?: boolean;
  maxResults?: string;
}

/**
 * `cairn models approvals list NAME`: who approved which version for what and when, newest first, across versions;
 * revoked approvals (with who revoked them and when) only with --include-revoked. Says so when more exist than shown.
 */
export const listApprovals = async (client: CairnClient, name: string, options: ListApprovalsOptions): Promise<CommandResult<ApprovalWire[]>> => {
  const limit = options.maxResults === undefined ? 100 : parsePositiveInt("--max-results", options.maxResults, 100_000);
  const version = options.version === undefined ? undefined : parseVersion("--version", options.version);
  const target = options.target === undefined ? undefined : parseTarget("--target", options.target);
  // One beyond the limit tells whether more exist, without fetching a further page in the usual case.
  const fetched = await collect(
    client.governance.searchApprovalsAll({ name, version, target, includeRevoked: options.includeRevoked === true, maxResults: Math.min(limit + 1, PAGE_MAX) }),
    limit + 1,
  );
  const approvals = fetched.slice(0, limit);
  const rows = approvals.map((a) => [
    formatTime(a.time),
    a.version,
    a.target,
    actorText(a.actor),
    a.revoked_time === undefined ? "standing" : `revoked ${formatTime(a.revoked_time)} by ${a.revoked_by === undefined ? "-" : actorText(a.revoked_by)}`,
    (a.comment ?? "").split("\n")[0] ?? "",
  ]);
  if (fetched.length > limit) rows.push([`… more than ${limit} approvals; raise --max-results or filter by --version / --target`, "", "", "", "", ""]);
  const scope = `${name}${version === undefined ? "" : ` version ${version}`}${target === undefined ? "" : ` for ${target}`}`;
  return {
    data: approvals,
    human: {
      kind: "table",
      columns: ["TIME (UTC)", "VERSION", "TARGET", "APPROVED BY", "STATE", "COMMENT"],
      rows,
      empty: options.includeRevoked === true ? `No approvals of ${scope}.` : `No standing approvals of ${scope} (--include-revoked shows revoked ones).`,
    },
  };
};

/** `cairn models approvals revoke NAME VERSION --target T`: withdraws the caller's own approval. */
export const revokeApproval = async (
  client: CairnClient,
  name: string,
  versionText: string,
  options: { target?: string },
): Promise<CommandResult<ApprovalWire>> => {
  const version = parseVersion("VERSION", versionText);
  const target = parseTarget("--target", options.target);
  const approval = await client.governance.revokeApproval(name, version, target);
  return {
    data: approval,
    human: {
      kind: "message",
      text: `${approval.revoked_by?.name ?? "You"} revoked the approval of ${name} version ${version} for ${target} given by ${approval.actor.name} at ${formatTime(approval.time)}; it no longer counts.`,
    },
  };
};
