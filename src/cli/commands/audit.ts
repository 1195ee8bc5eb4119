import type { AuditEvent, AuditVerification } from "../../sdk/audit-api.js";
import type { CairnClient } from "../../sdk/client.js";
import { collect } from "../../sdk/paging.js";
import { UsageError } from "../errors.js";
import { formatTime, type CommandResult } from "../output.js";
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
}

/** The server's largest page of audit/events. */
const PAGE_MAX = 1000;

/** `cairn audit list`: events matching every given filter, oldest first (by sequence number). */
export const listAuditEvents = async (client: CairnClient, options: ListAuditOptions): Promise<CommandResult<AuditEvent[]>> => {
  const limit = options.maxResults === undefined ? 100 : parsePositiveInt("--max-results", options.maxResults, 1_000_000);
  const startTime = options.since === undefined ? undefined : parseTimeBound("--since", options.since);
  const endTime = options.until === undefined ? undefined : parseTimeBound("--until", options.until);
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw new UsageError("--since must not be later than --until");
  const pages = client.audit.listEventsAll({
    entityType: options.entityType,
    entityId: options.entityId,
    actor: options.actor,
    action: options.action,
    startTime,
    endTime,
    maxResults: Math.min(limit, PAGE_MAX),
  });
  const events: AuditEvent[] = await collect(pages, limit);
  return {
    data: events,
    human: {
      kind: "table",
      columns: ["SEQ", "TIME (UTC)", "ACTOR", "ACTION", "ENTITY", "REQUEST"],
      rows: events.map((e) => [
        String(e.seq),
        formatTime(e.time),
        e.actor.verified ? e.actor.name : `${e.actor.name} (unverified)`,
        e.action,
        `${e.entity_type} ${e.entity_id}`,
        e.request_id,
      ]),
      empty: "No audit events.",
    },
  };
};

/**
 * `cairn audit verify`: the server re-computes the hash chain. Exit code 0 when intact; 1 with one line per problem
 * (an event that was changed, events that were removed) when not.
 */
export const verifyAudit = async (client: CairnClient): Promise<CommandResult<AuditVerification>> => {
  const result = await client.audit.verify();
  if (result.ok) {
    return { data: result, human: { kind: "message", text: `Audit trail intact: ${result.checked} events checked.` } };
  }
  const lines = result.problems.map((problem) => `event ${problem.seq}: ${problem.reason}`);
  return {
    data: result,
    human: { kind: "message", text: (lines.length > 0 ? lines : ["the server reported the trail as broken without details"]).join("\n") },
    exitCode: 1,
  };
};
