import type { AuditEvent, AuditVerification } from "../../sdk/audit-api.js";
import type { CairnClient } from "../../sdk/client.js";
import { UsageError } from "../errors.js";
import { formatTimeAgo, type CommandResult } from "../output.js";
import { parseTimeBound } from "./model-args.js";
import { parsePositiveInt } from "./view.js";

export interface ListAuditOptions {
  entityType?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  maxResults?: string;
  pageToken?: string;
  oldestFirst?: boolean;
}

export interface AuditListing {
  events: AuditEvent[];
  /** Present when more events match: pass it as --page-token to the same command for the next ones. */
  next_page_token?: string;
}

/** The server's largest page of audit/events. */
const PAGE_MAX = 1000;
/** Most events one command prints; beyond it, page with --page-token. */
const LIMIT_MAX = 100_000;

/**
 * `cairn audit list`: events matching every given filter, newest first (what a person looking at the trail wants to
 * see), at most --max-results of them. When more match, the listing says so and gives the --page-token that continues
 * it; the server only hands out a token when another event exists, so "more exist" is never a guess.
 */
export const listAuditEvents = async (client: CairnClient, options: ListAuditOptions): Promise<CommandResult<AuditListing>> => {
  const limit = options.maxResults === undefined ? 100 : parsePositiveInt("--max-results", options.maxResults, LIMIT_MAX);
  const startTime = options.since === undefined ? undefined : parseTimeBound("--since", options.since);
  const endTime = options.until === undefined ? undefined : parseTimeBound("--until", options.until);
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw new UsageError("--since must not be later than --until");
  if (options.pageToken !== undefined && options.pageToken.trim() === "") throw new UsageError("--page-token must not be empty");
  const order = options.oldestFirst === true ? "asc" : "desc";
  const events: AuditEvent[] = [];
  let token = options.pageToken;
  do {
    // Each request asks for exactly what is still missing, so the token of the last page continues right after it.
    const page = await client.audit.listEvents({
      entityType: options.entityType,
      entityId: options.entityId,
      actor: options.actor,
      action: options.action,
      startTime,
      endTime,
      order,
      maxResults: Math.min(limit - events.length, PAGE_MAX),
      pageToken: token,
    });
    events.push(...page.items);
    token = page.nextPageToken;
  } while (token !== undefined && events.length < limit);
  const orderText = order === "desc" ? "newest first" : "oldest first";
  const note =
    token === undefined
      ? undefined
      : `${events.length} events shown, ${orderText}; more exist: run the same command with --page-token ${token} for the next ${limit}.`;
  return {
    data: { events, ...(token === undefined ? {} : { next_page_token: token }) },
    human: {
      kind: "table",
      columns: ["SEQ", "TIME (UTC)", "ACTOR", "ACTION", "ENTITY", "REQUEST"],
      rows: events.map((e) => [
        String(e.seq),
        formatTimeAgo(e.time),
        e.actor.verified ? e.actor.name : `${e.actor.name} (unverified)`,
        e.action,
        `${e.entity_type} ${e.entity_id}`,
        e.request_id,
      ]),
      empty: options.pageToken === undefined ? "No audit events." : "No more audit events.",
      ...(note === undefined ? {} : { note }),
    },
  };
};

/**
 * `cairn audit verify`: the server re-computes the hash chain from its last verified checkpoint (`--full`: from the
 * first event). Exit code 0 when intact; 1 with one line per problem (an event that was changed, events that were
 * removed) when not.
 */
export const verifyAudit = async (client: CairnClient, options: { full?: boolean } = {}): Promise<CommandResult<AuditVerification>> => {
  const result = await client.audit.verify(options.full === true ? { full: true } : {});
  if (result.ok) {
    const since = result.fromSeq === undefined ? "" : ` after the verified checkpoint at event ${result.fromSeq} (--full re-checks from the first)`;
    return { data: result, human: { kind: "message", text: `Audit trail intact: ${result.checked} events checked${since}.` } };
  }
  const lines = result.problems.map((problem) => `event ${problem.seq}: ${problem.reason}`);
  return {
    data: result,
    human: { kind: "message", text: (lines.length > 0 ? lines : ["the server reported the trail as broken without details"]).join("\n") },
    exitCode: 1,
  };
};
