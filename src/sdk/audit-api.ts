import type { Actor } from "../core/actor.js";
import { iteratePages, type Page } from "./paging.js";
import type { HttpTransport } from "./transport.js";

/** One entry of the append-only, hash-chained audit log. */
export interface AuditEvent {
  seq: number;
  time: number;
  actor: Actor;
  /** "<domain>.<entity>.<verb>", e.g. "registry.alias.set". */
  action: string;
  entity_type: string;
  entity_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string;
  prev_hash: string;
  hash: string;
}

export interface ListAuditEventsRequest {
  entityType?: string;
  entityId?: string;
  actor?: string;
  /** Exact action, or a prefix ending in '*' ("registry.*"). */
  action?: string;
  /** Inclusive bounds in ms since the epoch. */
  startTime?: number;
  endTime?: number;
  /** Page size (server default 100, at most 1000). */
  maxResults?: number;
  pageToken?: string;
  /** "asc" (oldest first, the server's default) or "desc" (newest first); a page token continues its own order only. */
  order?: "asc" | "desc";
}

export interface AuditProblem {
  seq: number;
  reason: string;
}

export interface AuditVerification {
  ok: boolean;
  /** How many events were checked. */
  checked: number;
  problems: AuditProblem[];
  /** Incremental verify: the checkpoint it started after (events up to it were checked by an earlier verify). */
  fromSeq?: number;
}

/** One move of an alias: from_version null means it was created, to_version null means it was removed. */
export interface AliasChange {
  alias: string;
  from_version: string | null;
  to_version: string | null;
  actor: Actor;
  time: number;
  request_id: string;
}

/** Cairn's audit API: the event log (oldest first, or newest first with order "desc"), its verification, and each model's alias history. */
export class AuditApi {
  constructor(private readonly http: HttpTransport) {}

  /** One page of events matching the request, ordered by seq (descending with order "desc"). */
  async listEvents(request: ListAuditEventsRequest = {}): Promise<Page<AuditEvent>> {
    const answer = await this.http.callCairn<{ events?: AuditEvent[]; next_page_token?: string }>("GET", "audit/events", {
      entity_type: request.entityType,
      entity_id: request.entityId,
      actor: request.actor,
      action: request.action,
      start_time: request.startTime,
      end_time: request.endTime,
      max_results: request.maxResults,
      page_token: request.pageToken,
      order: request.order,
    });
    return { items: answer.events ?? [], nextPageToken: answer.next_page_token || undefined };
  }

  listEventsAll(request: Omit<ListAuditEventsRequest, "pageToken"> = {}): AsyncGenerator<AuditEvent> {
    return iteratePages((pageToken) => this.listEvents({ ...request, pageToken }));
  }

  /**
   * Re-computes the hash chain on the server; `problems` names each changed or missing event. Incremental (from the
   * last verified checkpoint, `fromSeq`) unless `full`.
   */
  async verify(options: { full?: boolean } = {}): Promise<AuditVerification> {
    const answer = await this.http.callCairn<{ ok?: boolean; checked?: number; problems?: AuditProblem[]; from_seq?: number }>(
      "GET",
      "audit/verify",
      options.full === true ? { full: "true" } : {},
    );
    return {
      ok: answer.ok === true,
      checked: answer.checked ?? 0,
      problems: answer.problems ?? [],
      ...(typeof answer.from_seq === "number" ? { fromSeq: answer.from_seq } : {}),
    };
  }

  /** Who moved which alias of a model from which version to which, oldest first. */
  async aliasHistory(name: string, alias?: string): Promise<AliasChange[]> {
    const answer = await this.http.callCairn<{ changes?: AliasChange[] }>("GET", "registered-models/alias-history", { name, alias });
    return answer.changes ?? [];
  }
}
