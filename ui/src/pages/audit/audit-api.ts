import { cairnGet } from "../../api/http";
import type { AuditEventMessage } from "../models/registry-wire";

/** The audit trail's filters as the page keeps them in the URL (`type`, `id`, `action`, `actor`); "" is no filter. */
export interface AuditFilter {
  entityType: string;
  entityId: string;
  action: string;
  actor: string;
}

export interface AuditPage {
  events: AuditEventMessage[];
  nextPageToken: string | undefined;
}

export const auditKeys = {
  page: (filter: AuditFilter, pageSize: number, token: string | undefined) => ["audit", "events", filter, pageSize, token ?? ""] as const,
};

/** One page of the whole trail, newest first (audit/events with order=desc), narrowed by the filters that are set. */
export const listAudit = async (filter: AuditFilter, pageSize: number, pageToken: string | undefined, signal?: AbortSignal): Promise<AuditPage> => {
  const answer = await cairnGet<{ events?: AuditEventMessage[]; next_page_token?: string }>(
    "audit/events",
    {
      entity_type: filter.entityType || undefined,
      entity_id: filter.entityId || undefined,
      action: filter.action || undefined,
      actor: filter.actor || undefined,
      order: "desc",
      max_results: pageSize,
      page_token: pageToken,
    },
    signal,
  );
  return { events: answer.events ?? [], nextPageToken: answer.next_page_token || undefined };
};
